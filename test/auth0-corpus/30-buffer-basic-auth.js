// Basic auth built with Buffer, as most hooks did it (btoa came later).
const axios = require('axios');

module.exports = async function (user, context) {
  const credentials = Buffer.from('api:' + context.webtask.secrets.API_KEY).toString('base64');
  const res = await axios.post(context.webtask.secrets.BASE_URL + '/basic/leads', { email: user.email }, { headers: { Authorization: 'Basic ' + credentials } });
  return res.status;
};
