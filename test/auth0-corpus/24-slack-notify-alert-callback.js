// slack-notify's alert with fields and a callback, pinned to the version Hookline provides.
module.exports = function (user, context, cb) {
  const slack = require('slack-notify@0.1.7')(context.webtask.secrets.SLACK_URL);
  slack.alert({ text: 'Signup needs review', fields: { Email: user.email, Plan: user.app_metadata.plan } }, function (err) {
    if (err) return cb(err);
    slack.note('Reviewed ' + user.email, cb);
  });
};
