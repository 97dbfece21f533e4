import { adminFromEnv, EnvInvalidError, logFormatFromEnv, logLevelsFromEnv, storeFromEnv, transportFromEnv } from './app-env';

describe('transportFromEnv', () => {
  it('is inline by default', () => {
    expect(transportFromEnv({})).toEqual({ type: 'inline' });
  });

  it('selects bullmq with REDIS_URL and an optional key prefix', () => {
    expect(transportFromEnv({ HOOKLINE_TRANSPORT: 'bullmq', REDIS_URL: 'redis://cache:6379' })).toEqual({
      type: 'bullmq',
      url: 'redis://cache:6379',
      prefix: undefined,
    });
    expect(transportFromEnv({ HOOKLINE_TRANSPORT: 'bullmq', REDIS_URL: 'redis://c', HOOKLINE_REDIS_PREFIX: 'app1' })).toMatchObject({
      prefix: 'app1',
    });
  });

  it.each([
    [{ HOOKLINE_TRANSPORT: 'kafka' }, /HOOKLINE_TRANSPORT must be "inline" or "bullmq", received "kafka"/],
    [{ HOOKLINE_TRANSPORT: 'bullmq' }, /REDIS_URL is required with HOOKLINE_TRANSPORT=bullmq/],
  ])('rejects %j', (env, message) => {
    expect(() => transportFromEnv(env)).toThrow(EnvInvalidError);
    expect(() => transportFromEnv(env)).toThrow(message);
  });
});

describe('storeFromEnv', () => {
  const key = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

  it('is off without HOOKLINE_STORE_URL', () => {
    expect(storeFromEnv({})).toBeUndefined();
  });

  it('turns the store on with a URL and a secrets key, with optional schema and private hosts', () => {
    expect(storeFromEnv({ HOOKLINE_STORE_URL: 'postgres://db/app', HOOKLINE_SECRETS_KEY: key })).toEqual({
      url: 'postgres://db/app',
      schema: undefined,
      allowPrivateHosts: [],
    });
    expect(
      storeFromEnv({ HOOKLINE_STORE_URL: 'postgresql://db/app', HOOKLINE_SECRETS_KEYS: `k1:${key}`, HOOKLINE_STORE_SCHEMA: 'tenants', HOOKLINE_STORE_ALLOW_PRIVATE_HOSTS: '127.0.0.1, crm.internal' }),
    ).toEqual({ url: 'postgresql://db/app', schema: 'tenants', allowPrivateHosts: ['127.0.0.1', 'crm.internal'] });
  });

  it.each([
    [{ HOOKLINE_STORE_URL: 'mysql://db' }, /HOOKLINE_STORE_URL must be a PostgreSQL URL/],
    [{ HOOKLINE_STORE_URL: 'postgres://db' }, /HOOKLINE_STORE_URL needs HOOKLINE_SECRETS_KEY/],
  ])('rejects %j', (env, message) => {
    expect(() => storeFromEnv(env)).toThrow(EnvInvalidError);
    expect(() => storeFromEnv(env)).toThrow(message);
  });
});

describe('adminFromEnv', () => {
  it('mounts nothing without HOOKLINE_ADMIN_TOKEN or HOOKLINE_ADMIN_PATH', () => {
    expect(adminFromEnv({})).toBeUndefined();
  });

  it('takes HOOKLINE_ADMIN_TOKEN as one unscoped token, and HOOKLINE_ADMIN_PATH as the path', () => {
    expect(adminFromEnv({ HOOKLINE_ADMIN_TOKEN: 'dev-token' })).toEqual({ tokens: ['dev-token'] });
    expect(adminFromEnv({ HOOKLINE_ADMIN_PATH: 'ops/hookline' })).toEqual({ path: 'ops/hookline' });
  });
});

describe('logFormatFromEnv', () => {
  it('is text by default, json on request', () => {
    expect(logFormatFromEnv({})).toBe('text');
    expect(logFormatFromEnv({ HOOKLINE_LOG_FORMAT: 'json' })).toBe('json');
  });

  it('rejects any other value, naming the variable and the choices', () => {
    expect(() => logFormatFromEnv({ HOOKLINE_LOG_FORMAT: 'pretty' })).toThrow(EnvInvalidError);
    expect(() => logFormatFromEnv({ HOOKLINE_LOG_FORMAT: 'pretty' })).toThrow('HOOKLINE_LOG_FORMAT must be "text" or "json", received "pretty".');
  });
});

describe('logLevelsFromEnv', () => {
  it('prints log and above by default, and from the level LOG_LEVEL names', () => {
    expect(logLevelsFromEnv({})).toEqual(['log', 'warn', 'error', 'fatal']);
    expect(logLevelsFromEnv({ LOG_LEVEL: 'debug' })).toEqual(['debug', 'log', 'warn', 'error', 'fatal']);
    expect(logLevelsFromEnv({ LOG_LEVEL: 'error' })).toEqual(['error', 'fatal']);
  });

  it('rejects an unknown level, naming the variable and the levels', () => {
    expect(() => logLevelsFromEnv({ LOG_LEVEL: 'loud' })).toThrow(EnvInvalidError);
    expect(() => logLevelsFromEnv({ LOG_LEVEL: 'loud' })).toThrow('LOG_LEVEL must be one of verbose, debug, log, warn, error, fatal, received "loud".');
  });
});
