// An ES-module Action using the global fetch with a URLSearchParams body.
export const onExecutePostUserRegistration = async (event) => {
  const body = new URLSearchParams({ email: event.user.email, tenant: event.tenant.id });
  const res = await fetch(new URL('/form?src=action', event.secrets.BASE_URL), { method: 'POST', body });
  if (!res.ok) throw new Error('form post failed: ' + res.status);
};
