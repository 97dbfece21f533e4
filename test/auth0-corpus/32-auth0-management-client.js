// The auth0 Management API client: client-credentials token, then mark the user as synced.
const { ManagementClient } = require('auth0');

module.exports = async function (user, context) {
  const management = new ManagementClient({
    domain: context.webtask.secrets.AUTH0_DOMAIN,
    clientId: 'hook-client',
    clientSecret: context.webtask.secrets.API_KEY,
  });
  await management.users.update('auth0|' + user.id, { app_metadata: { crm_synced: true } });
  console.log('app_metadata updated');
};
