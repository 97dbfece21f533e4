/**
 * `--require`d into the example app by the benchmarks, for what cannot be read from outside the process:
 * `'memory'` answers the app's `process.memoryUsage()`; `'live'` runs a full garbage collection first and
 * answers the memory usage after it with V8's heap spaces (used and committed bytes each): what is
 * still reachable, against what V8 keeps; `'loop'` answers its event-loop delay (ms: p99 and max) since the previous
 * `'loop'`. The IPC channel is unref'd so that it never keeps the app alive.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A full GC on demand, without starting the app with `--expose-gc` (which would change what is measured). */
function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

if (process.send && process.channel) {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  process.on('message', (message) => {
    if (message === 'memory') process.send!({ memory: process.memoryUsage() });
    if (message === 'live') {
      collect();
      const spaces = Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, { used: space.space_used_size, committed: space.physical_space_size }]));
      process.send!({ memory: process.memoryUsage(), spaces });
    }
    if (message === 'loop') {
      process.send!({ loop: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 } });
      loop.reset();
    }
  });
  process.channel.unref();
}
