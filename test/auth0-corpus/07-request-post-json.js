// The legacy request library, callback form with json.
var request = require('request');

module.exports = function (user, context, cb) {
  request.post({
    url: context.webtask.secrets.BASE_URL + '/hooks/signup',
    json: { email: user.email, username: user.username },
    headers: { 'x-api-key': context.webtask.secrets.API_KEY },
  }, function (err, response, body) {
    if (err) return cb(err);
    console.log('signup hook', response.statusCode, body.id);
    cb();
  });
};
