// request-promise-native rejects non-2xx with StatusCodeError (statusCode, error = body).
const rp = require('request-promise-native');

module.exports = async function (user, context) {
  try {
    await rp.get({ uri: context.webtask.secrets.BASE_URL + '/status/404/users/' + user.id, json: true });
  } catch (err) {
    console.log(err.name, err.statusCode, err.error.error);
    if (err.statusCode !== 404) throw err;
  }
};
