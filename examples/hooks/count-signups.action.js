/**
 * Auth0 Actions style (post-user-registration): counts sign-ups in api.cache and tags them by language.
 * Module-level state and api.cache persist between invocations of this hook (until its sandbox is
 * recycled), as on Auth0: use them for caches, never as a source of truth.
 */
let loadedAt = new Date().toISOString();

exports.onExecutePostUserRegistration = async (event, api) => {
  const previous = api.cache.get('signups');
  const count = Number(previous ? previous.value : 0) + 1;
  api.cache.set('signups', String(count));
  console.info(
    `Sign-up #${count} since ${loadedAt}: ${event.user.email} (language ${event.request.language || 'unknown'}, tenant ${event.tenant.id})`,
  );
};
