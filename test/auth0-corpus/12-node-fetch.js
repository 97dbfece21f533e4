// node-fetch 2: POST JSON, read the JSON answer.
const fetch = require('node-fetch');

module.exports = function (user, context, cb) {
  fetch(context.webtask.secrets.BASE_URL + '/events', {
    method: 'POST',
    body: JSON.stringify({ type: 'signup', email: user.email }),
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + context.webtask.secrets.TOKEN },
  })
    .then((res) => res.json())
    .then((json) => cb(null, json))
    .catch(cb);
};
