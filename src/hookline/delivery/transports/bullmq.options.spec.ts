import { OptionsInvalidError } from '../../core/errors/options-invalid.error';
import { BULLMQ_DEFAULTS, parseRedisUrl, resolveBullmqOptions } from './bullmq.options';

describe('parseRedisUrl', () => {
  it.each([
    ['redis://127.0.0.1:6379', { host: '127.0.0.1', port: 6379, db: 0 }, '127.0.0.1:6379/0'],
    ['redis://cache.internal', { host: 'cache.internal', port: 6379, db: 0 }, 'cache.internal:6379/0'],
    ['redis://:s3cret@cache:6380/2', { host: 'cache', port: 6380, db: 2, password: 's3cret' }, 'cache:6380/2'],
    ['redis://app:p%40ss@cache:6379', { host: 'cache', username: 'app', password: 'p@ss' }, 'cache:6379/0'],
    ['rediss://cache:6380', { host: 'cache', port: 6380, tls: { servername: 'cache' } }, 'cache:6380/0'],
  ])('%s', (url, expected, where) => {
    const parsed = parseRedisUrl(url);
    expect(parsed.connection).toMatchObject(expected);
    expect(parsed.where).toBe(where);
    expect(parsed.where).not.toMatch(/s3cret|p@ss/);
  });

  it.each([
    [undefined, /transport\.url: expected a Redis URL such as redis:\/\/127\.0\.0\.1:6379.*received nothing/],
    ['http://cache:6379', /transport\.url: expected a Redis URL/],
    ['not a url', /transport\.url: expected a Redis URL/],
    ['redis://cache:6379/db1', /transport\.url: expected a database number/],
  ])('rejects %s with a message naming the option', (url, message) => {
    expect(() => parseRedisUrl(url)).toThrow(OptionsInvalidError);
    expect(() => parseRedisUrl(url)).toThrow(message);
  });

  it('never repeats a password in its error', () => {
    expect(() => parseRedisUrl('http://user:hunter22@cache')).toThrow(/\*\*\*@cache/);
    expect(() => parseRedisUrl('http://user:hunter22@cache')).not.toThrow(/hunter22/);
  });
});

describe('resolveBullmqOptions', () => {
  const url = 'redis://127.0.0.1:6379';

  it('fills the defaults; jobs held per instance never fewer than the requests in flight', () => {
    const resolved = resolveBullmqOptions({ type: 'bullmq', url }, 16);
    expect(resolved).toMatchObject({ ...BULLMQ_DEFAULTS, workerConcurrency: 100 });
    expect(resolveBullmqOptions({ type: 'bullmq', url }, 250).workerConcurrency).toBe(250);
    // A killed instance's deliveries run again within lock + stalled interval: the promise is 30 s.
    expect(resolved.lockDurationMs + resolved.stalledIntervalMs).toBeLessThanOrEqual(30_000);
  });

  it.each([
    [{ lockDurationMs: 10 }, /transport\.lockDurationMs: expected an integer >= 1000, received number 10/],
    [{ stalledIntervalMs: 1.5 }, /transport\.stalledIntervalMs: expected an integer >= 500/],
    [{ workerConcurrency: 0 }, /transport\.workerConcurrency: expected an integer >= 1/],
    [{ prefix: 'a:b' }, /transport\.prefix: expected letters, digits/],
    [{ queueName: '' }, /transport\.queueName: expected letters, digits/],
    [{ keepDead: { maxCount: -1 } }, /transport\.keepDead\.maxCount: expected an integer >= 0/],
    [{ keepSucceeded: 'forever' }, /transport\.keepSucceeded: expected an object/],
    [{ worker: 'yes' }, /transport\.worker: expected true or false/],
  ])('rejects %j', (bad, message) => {
    expect(() => resolveBullmqOptions({ type: 'bullmq', url, ...(bad as object) }, 16)).toThrow(message);
  });
});
