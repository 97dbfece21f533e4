/**
 * `--require`d into the example app by the benchmarks, for what cannot be read from outside the process:
 * `'memory'` answers the app's `process.memoryUsage()`; `'live'` runs a full garbage collection first and
 * answers the memory usage after it with V8's heap spaces (used and committed bytes each): what is
 * still reachable, against what V8 keeps; `'loop'` answers its event-loop delay (ms: p99 and max) and its
 * garbage collections' pauses (count, total and longest ms; `major` for mark-compacts) since the previous
 * `'loop'`; `'spaces'` answers the heap spaces as they are, without a collection (how large V8 has grown its
 * young generation, say); `'allocation-start'` starts V8's sampling heap profiler, keeping the objects that
 * collections freed (so it counts what was allocated, not what is live), and `'allocation-stop'` answers
 * the bytes allocated since, by script and function. The IPC channel is unref'd so that it never keeps the
 * app alive.
 */
import { constants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Session } from 'node:inspector';

/** A full GC on demand, without starting the app with `--expose-gc` (which would change what is measured). */
function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** V8's heap spaces by name: bytes used and committed. */
function spaces(): Record<string, { used: number; committed: number }> {
  return Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, { used: space.space_used_size, committed: space.physical_space_size }]));
}

/** A node of V8's sampling heap profile (what the probe reads of it). */
interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

/** V8's sampling heap profiler, through the inspector, in this process. */
const allocation = {
  session: undefined as Session | undefined,
  start(done: () => void): void {
    this.session ??= new Session();
    this.session.connect();
    this.session.post('HeapProfiler.enable', () =>
      this.session!.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }, done),
    );
  },
  /** Bytes allocated since `start`, by `url|function:line` of the frame that allocated them. */
  stop(done: (sites: Record<string, number>) => void): void {
    this.session!.post('HeapProfiler.stopSampling', (error, result) => {
      const sites: Record<string, number> = {};
      const walk = (node: ProfileNode) => {
        const { url, functionName, lineNumber } = node.callFrame;
        const site = `${url}|${functionName || '(anonymous)'}:${lineNumber + 1}`;
        sites[site] = (sites[site] ?? 0) + node.selfSize;
        node.children.forEach(walk);
      };
      if (!error) walk((result as unknown as { profile: { head: ProfileNode } }).profile.head);
      this.session!.disconnect();
      done(sites);
    });
  },
};

if (process.send && process.channel) {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const gc = { count: 0, ms: 0, max: 0, major: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count++;
      gc.ms += entry.duration;
      gc.max = Math.max(gc.max, entry.duration);
      if ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++;
    }
  }).observe({ entryTypes: ['gc'] });
  process.on('message', (message) => {
    if (message === 'memory') process.send!({ memory: process.memoryUsage() });
    if (message === 'live') {
      collect();
      process.send!({ memory: process.memoryUsage(), spaces: spaces() });
    }
    if (message === 'spaces') process.send!({ memory: process.memoryUsage(), spaces: spaces() });
    if (message === 'allocation-start') allocation.start(() => process.send!({}));
    if (message === 'allocation-stop') allocation.stop((sites) => process.send!({ allocation: sites }));
    if (message === 'loop') {
      process.send!({ loop: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6, gc: { ...gc } } });
      loop.reset();
      Object.assign(gc, { count: 0, ms: 0, max: 0, major: 0 });
    }
  });
  process.channel.unref();
}
