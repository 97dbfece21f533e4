// An Auth0 Action posting with @slack/webhook.
const { IncomingWebhook } = require('@slack/webhook');

exports.onExecutePostUserRegistration = async (event, api) => {
  const webhook = new IncomingWebhook(event.secrets.SLACK_URL);
  await webhook.send({
    text: `New signup: ${event.user.email}`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*${event.user.email}* joined via ${event.connection.name}` } }],
  });
};
