import { entryName, secretVariable, upperSnake } from './import-plan';
import { literalHosts } from './script-report';

describe('import names', () => {
  it.each([
    ['SLACK_URL', 'SLACK_URL'],
    ['signingKey', 'SIGNING_KEY'],
    ['notify-sales', 'NOTIFY_SALES'],
    ['Welcome Email', 'WELCOME_EMAIL'],
    ['apiV2Token', 'API_V2_TOKEN'],
  ])('upper snake case: %s → %s', (text, expected) => expect(upperSnake(text)).toBe(expected));

  it('names a secret variable <TENANT>_<HOOK>_<SECRET>', () => {
    expect(secretVariable('acme-eu', 'sign-jwt', 'signingKey')).toBe('ACME_EU_SIGN_JWT_SIGNING_KEY');
  });

  it('makes config entry names of Auth0 names', () => {
    expect(entryName('Welcome Email')).toBe('welcome-email');
    expect(entryName('  --Sync CRM (v2)!')).toBe('sync-crm-v2');
    expect(entryName('x'.repeat(80))).toHaveLength(64);
  });

  it('suggests the hosts of literal URLs, not placeholders', () => {
    const code = "fetch('https://api.crm.example.com/v1'); axios.post(`https://${domain}/x`); const u = 'https://YOUR_DOMAIN/oauth/token'; http://127.0.0.1:8080/x";
    expect(literalHosts(code)).toEqual(['127.0.0.1:8080', 'api.crm.example.com']);
  });
});
