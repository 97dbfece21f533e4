// An Action signing an RS256 token with a private key kept in its secrets (PEM), with a key id.
const jwt = require('jsonwebtoken');

exports.onExecutePostUserRegistration = async (event) => {
  const token = jwt.sign({ sub: event.user.user_id, email: event.user.email }, event.secrets.PRIVATE_KEY, { algorithm: 'RS256', keyid: 'hook-key-1', expiresIn: 300 });
  const res = await fetch(event.secrets.BASE_URL + '/jwt/rs256', {
    method: 'POST',
    headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' },
    body: JSON.stringify({ user: event.user.user_id }),
  });
  console.log('rs256', res.status, jwt.decode(token, { complete: true }).header.kid);
};
