// request-promise with json: true resolves with the parsed body.
const rp = require('request-promise');

module.exports = function (user, context, cb) {
  rp({
    method: 'POST',
    uri: context.webtask.secrets.BASE_URL + '/crm/leads',
    body: { email: user.email, source: 'auth0' },
    json: true,
  })
    .then(function (body) { cb(null, body); })
    .catch(function (err) { cb(err); });
};
