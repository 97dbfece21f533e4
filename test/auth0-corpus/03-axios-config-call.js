// axios(config) with params and a custom header.
var axios = require('axios');

module.exports = function (user, context, cb) {
  axios({
    method: 'put',
    url: context.webtask.secrets.BASE_URL + '/users/' + user.id,
    params: { source: 'auth0', lang: context.requestLanguage },
    data: { email: user.email, verified: user.emailVerified },
    headers: { 'X-Tenant': user.tenant },
  }).then(function () { cb(); }, function (err) { cb(err); });
};
