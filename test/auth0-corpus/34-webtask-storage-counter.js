// context.webtask.storage: count sign-ups, retry once on a conflict, report the count.
module.exports = function (user, context, cb) {
  const storage = context.webtask.storage;
  function bump(attempt) {
    storage.get(function (error, data) {
      if (error) return cb(error);
      data = data || { signups: 0 };
      data.signups += 1;
      data.last = user.email;
      storage.set(data, function (error) {
        if (error && error.code === 409 && attempt < 2) return bump(attempt + 1);
        if (error) return cb(error);
        fetch(context.webtask.secrets.BASE_URL + '/stats', { method: 'POST', body: JSON.stringify(data) }).then(() => cb(null, data.signups), cb);
      });
    });
  }
  bump(1);
};
