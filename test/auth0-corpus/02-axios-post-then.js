// axios.post with a bearer token, completing on the response.
const axios = require('axios');

module.exports = function (user, context, cb) {
  axios
    .post(context.webtask.secrets.BASE_URL + '/crm/contacts', { email: user.email, plan: user.app_metadata.plan }, {
      headers: { Authorization: 'Bearer ' + context.webtask.secrets.TOKEN },
    })
    .then(function (res) {
      console.log('created contact', res.data.id, res.status);
      cb();
    })
    .catch(cb);
};
