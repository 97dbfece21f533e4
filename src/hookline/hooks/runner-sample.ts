/**
 * The Runner's default payload: the `user` and `context` of Auth0's Post User Registration starter code
 * (its Runner simulates exactly these), with an id so Actions get a `user_id`.
 */
export const AUTH0_STARTER_PAYLOAD = {
  user: {
    id: 'abc123',
    tenant: 'my-tenant',
    username: 'user1',
    email: 'user1@foo.com',
    emailVerified: true,
    phoneNumber: '1-000-000-0000',
    phoneNumberVerified: true,
    user_metadata: { hobby: 'surfing' },
    app_metadata: { plan: 'full' },
  },
  context: {
    requestLanguage: 'en-us',
    connection: { id: 'con_xxxxxxxxxxxxxxxx', name: 'Username-Password-Authentication', tenant: 'my-tenant' },
  },
} as const;
