// aws-sdk v2's sns.publish, as it migrates: the SNS HTTP API signed with aws4 (SigV4 in pure JavaScript), sent with fetch.
const aws4 = require('aws4');
const querystring = require('querystring');

module.exports = async function (user, context) {
  const endpoint = new URL(context.webtask.secrets.BASE_URL + '/sns/');
  const body = querystring.stringify({
    Action: 'Publish',
    Version: '2010-03-31',
    TopicArn: 'arn:aws:sns:eu-west-1:123456789012:signups',
    Message: JSON.stringify({ email: user.email }),
  });
  const signed = aws4.sign(
    { host: endpoint.host, path: endpoint.pathname, method: 'POST', service: 'sns', region: 'eu-west-1', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    { accessKeyId: 'AKIAHOOKLINE', secretAccessKey: context.webtask.secrets.API_KEY },
  );
  // Host and Content-Length are the HTTP client's to set.
  delete signed.headers.Host;
  delete signed.headers['Content-Length'];
  const res = await fetch(endpoint.href, { method: 'POST', headers: signed.headers, body });
  const text = await res.text();
  if (!res.ok) throw new Error('SNS answered ' + res.status);
  return /<MessageId>([^<]+)<\/MessageId>/.exec(text)[1];
};
