// A facade for slack-notify (the 0.1 line Auth0 Hooks used, which needs Node's https): same
// methods and message shaping; send() takes an optional callback and also returns a Promise
// (as slack-notify 2 does). Runs inside the isolate.
function isString(value) {
  return typeof value === 'string';
}

module.exports = function slackNotify(url) {
  const pub = {};

  pub.request = (data, done) => {
    const promise = !url
      ? Promise.reject(new Error('No Slack URL configured.'))
      : fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(data) })
          .then((response) => response.text())
          .then((body) => {
            if (body !== 'ok') throw new Error(body);
          });
    promise.then(
      () => typeof done === 'function' && done(),
      (error) => {
        if (typeof done === 'function') done(error);
        // slack-notify 0.1 dropped the error when no callback was given; a hook's log should show it.
        else console.error('slack-notify: message not sent: ' + error.message);
      },
    );
    return promise;
  };

  pub.send = (options, done) => {
    if (isString(options)) options = { text: options };
    const data = Object.assign({}, options);
    if (options.fields) {
      data.attachments = data.attachments ? data.attachments.slice() : [];
      data.attachments.push({
        fallback: 'Alert details',
        fields: Object.keys(options.fields).map((title) => ({
          title,
          value: options.fields[title],
          short: String(options.fields[title]).length < 25,
        })),
      });
      delete data.fields;
    }
    if (options.icon_url && !options.icon_emoji) delete data.icon_emoji;
    return pub.request(data, done);
  };

  pub.extend = (defaults) => (options, done) => {
    if (isString(options)) options = { text: options };
    return pub.send(Object.assign({}, defaults, options), done);
  };

  pub.bug = pub.extend({ channel: '#bugs', icon_emoji: ':bomb:', username: 'Bug' });
  pub.alert = pub.extend({ channel: '#alerts', icon_emoji: ':warning:', username: 'Alert' });
  pub.note = pub.extend({ channel: '#alerts', icon_emoji: ':bulb:', username: 'Note' });
  pub.success = pub.extend({ channel: '#alerts', icon_emoji: ':trophy:', username: 'Hoorah' });

  return pub;
};
