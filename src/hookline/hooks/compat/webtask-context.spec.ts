import { buildWebtaskContext } from './webtask-context';

describe('buildWebtaskContext', () => {
  it('carries secrets under secrets and data, and plain metadata and headers', () => {
    const secrets = { SLACK_URL: 'https://hooks.slack.test/x' };
    const webtask = buildWebtaskContext({ tenant: 'acme', hookName: 'notify-sales', secrets, eventId: 'evt-1' });
    expect(webtask.secrets).toEqual(secrets);
    expect(webtask.data).toEqual(secrets);
    expect(webtask.secrets).not.toBe(secrets);
    expect(webtask.meta).toMatchObject({ 'auth0-extension-name': 'post-user-registration', 'hookline-tenant': 'acme', 'hookline-hook': 'notify-sales' });
    expect(webtask.headers).toMatchObject({ 'user-agent': 'Hookline', 'x-hookline-event-id': 'evt-1' });
    expect(JSON.parse(JSON.stringify(webtask))).toEqual(webtask); // plain data: safe to copy into an isolate
  });
});
