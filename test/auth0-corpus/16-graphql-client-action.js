// An Action with graphql-request's GraphQLClient and an authorization header.
const { GraphQLClient } = require('graphql-request');

exports.onExecutePostUserRegistration = async (event) => {
  const client = new GraphQLClient(event.secrets.BASE_URL + '/graphql', {
    headers: { authorization: `Bearer ${event.secrets.TOKEN}` },
  });
  const data = await client.request('mutation ($email: String!) { createUser(email: $email) { id } }', { email: event.user.email });
  console.log('client id', data.createUser.id);
};
