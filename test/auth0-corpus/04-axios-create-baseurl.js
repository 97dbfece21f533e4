// axios.create with baseURL and default headers; reads data, status and headers of the response.
const axios = require('axios');

module.exports = async function (user, context) {
  const api = axios.create({
    baseURL: context.webtask.secrets.BASE_URL + '/api/v2',
    headers: { 'X-Api-Key': context.webtask.secrets.API_KEY },
  });
  const res = await api.patch('/users/' + user.id, { user_metadata: user.user_metadata });
  console.log('patched', res.status, res.data.id, res.headers['x-request-id']);
  const found = await api.get('/users', { params: { email: user.email } });
  console.log('found', found.data.ok);
};
