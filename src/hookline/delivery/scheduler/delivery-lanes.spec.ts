import { DeliveryLanes, type LaneEntry, type LaneSettings } from './delivery-lanes';
import { createRateLimiter } from './rate-limiter';

interface Item extends LaneEntry {
  n: number;
  deferred?: number;
  failed?: unknown;
}

function setup(maxPacingWaitMs = 30_000) {
  const sent: Array<{ at: number; items: number[] }> = [];
  const shutdown = new AbortController();
  const limiter = createRateLimiter();
  const lanes = new DeliveryLanes<Item>(limiter, (entries) => sent.push({ at: Date.now(), items: entries.map((e) => e.n) }), shutdown.signal, maxPacingWaitMs);
  const item = (n: number): Item => {
    const it: Item = { n, enqueuedAt: Date.now(), defer: (ms) => (it.deferred = ms), fail: (e) => (it.failed = e) };
    return it;
  };
  const stop = () => {
    shutdown.abort();
    limiter.close();
  };
  return { sent, lanes, item, limiter, stop };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DeliveryLanes', () => {
  it('sends a full batch at once, and the rest after maxWaitMs', async () => {
    const { sent, lanes, item, stop } = setup();
    const settings: LaneSettings = { maxItems: 3, maxWaitMs: 200 };
    for (let n = 1; n <= 4; n++) lanes.submit('k', settings, item(n));
    await wait(20);
    expect(sent.map((s) => s.items)).toEqual([[1, 2, 3]]);
    await wait(250);
    expect(sent.map((s) => s.items)).toEqual([[1, 2, 3], [4]]);
    stop();
  });

  it('fills a batch while it waits for its rate-limit slot', async () => {
    const { sent, lanes, item, stop } = setup();
    const settings: LaneSettings = { maxItems: 10, maxWaitMs: 0, rate: { key: 'r', requests: 1, perMs: 1000 } };
    lanes.submit('k', settings, item(1));
    await wait(20);
    for (let n = 2; n <= 5; n++) lanes.submit('k', settings, item(n));
    await wait(1200);
    expect(sent.map((s) => s.items)).toEqual([[1], [2, 3, 4, 5]]);
    stop();
  });

  it('keeps lanes apart: a paced lane never holds up another', async () => {
    const { sent, lanes, item, stop } = setup();
    const slow: LaneSettings = { maxItems: 1, maxWaitMs: 0, rate: { key: 'slow', requests: 1, perMs: 1000 } };
    for (let n = 1; n <= 3; n++) lanes.submit('slow', slow, item(n));
    lanes.submit('fast', { maxItems: 1, maxWaitMs: 0 }, item(99));
    await wait(30);
    expect(sent.map((s) => s.items).sort()).toEqual([[1], [99]]);
    stop();
  });

  it('defers everything waiting on a key paused longer than it may wait', async () => {
    const { lanes, item, limiter, stop } = setup(1000);
    const rate = { key: 'p', requests: 5, perMs: 1000 };
    await limiter.pause(rate, 10_000);
    const items = [item(1), item(2)];
    for (const it of items) lanes.submit('k', { maxItems: 1, maxWaitMs: 0, rate }, it);
    await wait(30);
    for (const it of items) expect(it.deferred).toBeGreaterThan(8000);
    stop();
  });

  it('fails what waits at shutdown (retryable), instead of dropping it', async () => {
    const { lanes, item, stop } = setup();
    const it = item(1);
    lanes.submit('k', { maxItems: 5, maxWaitMs: 10_000 }, it);
    stop();
    await wait(10);
    expect((it.failed as { retryable: boolean }).retryable).toBe(true);
  });
});
