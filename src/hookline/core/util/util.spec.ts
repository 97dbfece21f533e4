import { evictOldest } from './bounded-map';
import { errorMessage } from './error-message';
import { orAfter, settlesWithin } from './timeout';

describe('core/util', () => {
  it('orAfter: the value when it comes first, the fallback when the time runs out', async () => {
    await expect(orAfter(Promise.resolve('done'), 1_000, 'late')).resolves.toBe('done');
    await expect(orAfter(new Promise(() => undefined), 10, 'late')).resolves.toBe('late');
    await expect(orAfter(Promise.reject(new Error('boom')), 1_000, 'late')).rejects.toThrow('boom');
  });

  it('settlesWithin: true for a fulfilled or rejected promise in time, false otherwise', async () => {
    await expect(settlesWithin(Promise.reject(new Error('x')), 1_000)).resolves.toBe(true);
    await expect(settlesWithin(new Promise(() => undefined), 10)).resolves.toBe(false);
  });

  it('evictOldest keeps the newest entries', () => {
    const map = new Map([['a', 1], ['b', 2], ['c', 3]]);
    evictOldest(map, 2);
    expect([...map.keys()]).toEqual(['b', 'c']);
    evictOldest(map, 0);
    expect(map.size).toBe(0);
  });

  it('errorMessage reads Errors, error-like objects and anything else', () => {
    expect(errorMessage(new TypeError('bad'))).toBe('bad');
    expect(errorMessage({ message: 'like an error' })).toBe('like an error');
    expect(errorMessage('text')).toBe('text');
    expect(errorMessage(undefined)).toBe('undefined');
  });
});
