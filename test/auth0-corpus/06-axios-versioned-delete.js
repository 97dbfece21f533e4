// A version-pinned require, as Auth0's Hooks editor added them.
const axios = require('axios@0.21.1');

module.exports = function (user, context, cb) {
  axios.delete(context.webtask.secrets.BASE_URL + '/pending/' + encodeURIComponent(user.email))
    .then(() => cb(null, { removed: true }))
    .catch((err) => cb(err));
};
