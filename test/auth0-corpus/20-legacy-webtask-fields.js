// Legacy Webtask fields: context.webtask.data, .meta and .headers.
module.exports = function (user, context, cb) {
  const wt = context.webtask;
  fetch(wt.data.BASE_URL + '/legacy', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': wt.data.API_KEY },
    body: JSON.stringify({ hook: wt.meta['hookline-hook'], ua: wt.headers['user-agent'], id: user.id }),
  }).then(() => cb(), cb);
};
