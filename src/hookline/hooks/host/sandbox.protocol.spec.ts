import { foldEnds, type FromWorker } from './sandbox.protocol';

const result = (id: number, ended?: boolean): FromWorker => ({
  t: 'result',
  id,
  status: 'ok',
  response: null,
  error: null,
  durationMs: 1,
  ...(ended ? { ended } : {}),
});

describe('foldEnds', () => {
  it("folds an end into its invocation's result in the same batch, other invocations' messages between them or not", () => {
    const batch: FromWorker[] = [result(1), result(2), { t: 'log', id: 3, level: 'log', message: 'x' }, { t: 'end', id: 1 }, { t: 'end', id: 2 }];
    expect(foldEnds(batch)).toEqual([result(1, true), result(2, true), { t: 'log', id: 3, level: 'log', message: 'x' }]);
  });

  it('keeps them apart when a message of the same invocation lies between (its log line reaches the listeners before the end)', () => {
    const batch: FromWorker[] = [result(1), { t: 'log', id: 1, level: 'warn', message: 'late' }, { t: 'end', id: 1 }];
    expect(foldEnds([...batch])).toEqual(batch);
  });

  it('leaves an end whose result went out earlier, and a result that ended already', () => {
    expect(foldEnds([{ t: 'end', id: 7 }, { t: 'throttled', tenant: 'a', hookId: 'h', usedMs: 1, cpuMs: 1, windowMs: 1 }])).toEqual([
      { t: 'end', id: 7 },
      { t: 'throttled', tenant: 'a', hookId: 'h', usedMs: 1, cpuMs: 1, windowMs: 1 },
    ]);
    expect(foldEnds([result(4, true), { t: 'end', id: 4 }])).toEqual([result(4, true), { t: 'end', id: 4 }]);
  });
});
