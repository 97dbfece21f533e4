/* Auth0's Terraform examples: a bare function, no module.exports. */
function (user, context, cb) {
  const axios = require('axios');
  axios.post(context.webtask.secrets.BASE_URL + '/terraform', { email: user.email })
    .then(() => cb())
    .catch(cb);
}
