/**
 * Auth0 Hooks style (Post User Registration): logs each new user.
 * Runs unchanged on Auth0 and on Hookline. Try it alone:
 *   npm run --silent hookline -- run examples/hooks/log-new-user.js
 */
module.exports = function (user, context, cb) {
  console.log('New user: ' + (user.username || user.email) + ' (' + user.email + ') via ' + context.connection.name);
  cb();
};
