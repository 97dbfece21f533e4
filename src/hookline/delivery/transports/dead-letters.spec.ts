import type { DeliveryJob } from '../records/delivery';
import { DeadLetters } from './dead-letters';

const job = (id: string): DeliveryJob =>
  ({ deliveryId: id, consumerId: 'acme/webhook/crm', kind: 'connector', attempts: 3, event: {} }) as DeliveryJob;

describe('DeadLetters', () => {
  it('keeps the most recent dead jobs, up to its bound', () => {
    const dead = new DeadLetters(2);
    dead.add(job('a'));
    dead.add(job('b'));
    dead.add(job('c'));
    expect(dead.size).toBe(2);
    expect(dead.take('a')).toBeUndefined();
    expect(dead.take('c')?.deliveryId).toBe('c');
  });

  it('gives a job out once: a replayed delivery is no longer dead', () => {
    const dead = new DeadLetters(10);
    dead.add(job('a'));
    expect(dead.take('a')).toBeDefined();
    expect(dead.take('a')).toBeUndefined();
  });

  it('keeps a job that dies again as the newest', () => {
    const dead = new DeadLetters(2);
    dead.add(job('a'));
    dead.add(job('b'));
    dead.add(job('a'));
    dead.add(job('c'));
    expect(dead.take('b')).toBeUndefined();
    expect(dead.take('a')).toBeDefined();
  });

  it('keeps no job past the retention of payloads', () => {
    const dead = new DeadLetters(10, 1_000);
    dead.add(job('old'), 0);
    dead.add(job('new'), 1_500);
    expect(dead.take('old', 1_600)).toBeUndefined();
    expect(dead.take('new', 1_600)?.deliveryId).toBe('new');
  });

  it("drops the jobs a user's erasure picks", () => {
    const dead = new DeadLetters(10);
    dead.add(job('a'));
    dead.add(job('b'));
    expect(dead.drop((j) => j.deliveryId === 'a')).toEqual(['a']);
    expect(dead.take('a')).toBeUndefined();
    expect(dead.size).toBe(1);
  });
});
