// A refused connection: axios rejects with a network error (no response).
const axios = require('axios');

module.exports = function (user, context, cb) {
  axios.get(context.webtask.secrets.DEAD_URL + '/health')
    .then(() => cb())
    .catch(function (err) {
      console.log('axios failed', err.isAxiosError, err.code, err.response === undefined);
      cb(err);
    });
};
