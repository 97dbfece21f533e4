// request with a urlencoded form (a Zapier/Mailchimp-style endpoint) and a query string.
const request = require('request');

module.exports = function (user, context, cb) {
  request.post({
    url: context.webtask.secrets.BASE_URL + '/subscribe',
    qs: { list: 'newsletter' },
    form: { email: user.email, merge_fields: { PLAN: user.app_metadata.plan } },
  }, function (err, response) {
    if (err) return cb(err);
    cb(null, { status: response.statusCode });
  });
};
