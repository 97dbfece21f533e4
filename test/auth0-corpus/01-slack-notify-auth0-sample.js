// Auth0's own Post User Registration sample: slack-notify, cb() before the request finishes.
module.exports = function (user, context, cb) {
  var SLACK_HOOK = context.webtask.secrets.SLACK_URL;
  var slack = require('slack-notify')(SLACK_HOOK);
  var message = 'New User: ' + (user.username || user.email) + ' (' + user.email + ')';
  var channel = '#some_channel';

  slack.success({
    text: message,
    channel: channel
  });

  // Return immediately; the request to the Slack API will continue on the sandbox
  cb();
};
