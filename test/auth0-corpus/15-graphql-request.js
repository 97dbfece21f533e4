// graphql-request's request(url, query, variables).
const { request, gql } = require('graphql-request');

const CREATE_USER = gql`
  mutation CreateUser($email: String!, $tenant: String!) {
    createUser(email: $email, tenant: $tenant) { id }
  }
`;

module.exports = async function (user, context) {
  const data = await request(context.webtask.secrets.BASE_URL + '/graphql', CREATE_USER, { email: user.email, tenant: user.tenant });
  console.log('graphql id', data.createUser.id);
};
