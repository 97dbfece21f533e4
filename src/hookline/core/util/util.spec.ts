import { evictOldest } from './bounded-map';
import { errorMessage } from './error-message';
import { flatId } from './flat-id';
import { isoTime } from './iso-time';
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

  it('flatId: the same id, whatever it was built from and whatever its characters', () => {
    const uuid = '0b9f7c1e-' + '3c55-4a8e-9b1d-' + '5f0c2a7d9e11';
    expect(flatId(uuid)).toBe(uuid);
    expect(flatId('dlv_' + 'abcdefghijklmnopqrstuvwxyz-_0123456789'.slice(2, 24))).toBe('dlv_cdefghijklmnopqrstuvwx');
    expect(flatId('usr_évènement_' + 'ÿ')).toBe('usr_évènement_ÿ');
    expect(flatId('ユーザー_' + '42')).toBe('ユーザー_42');
    expect(flatId('auth0|' + '😀')).toBe('auth0|😀');
    expect(flatId('')).toBe('');
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

  it("isoTime: toISOString's text for each time, whether it repeats or not; an invalid time throws", () => {
    const t = Date.parse('2026-12-08T01:02:03.004Z');
    for (const ms of [t, t, t + 1, t, t + 86_400_000, t + 86_400_000]) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    expect(isoTime()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
  });
});
