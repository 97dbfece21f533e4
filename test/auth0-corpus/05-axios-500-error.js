// A failing CRM: axios rejects with error.response.status, and the hook decides what to do.
const axios = require('axios');

module.exports = async function (user, context) {
  try {
    await axios.post(context.webtask.secrets.BASE_URL + '/status/500/contacts', { email: user.email });
  } catch (err) {
    console.log('CRM failed', err.response.status, err.response.data.error, err.message);
    throw new Error('CRM answered ' + err.response.status);
  }
};
