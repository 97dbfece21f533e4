/**
 * `--require`d into the example app by the benchmarks, for what cannot be read from outside the process:
 * `'memory'` answers the app's `process.memoryUsage()`; `'loop'` answers its event-loop delay (ms: p99
 * and max) since the previous `'loop'`. The IPC channel is unref'd so that it never keeps the app alive.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

if (process.send && process.channel) {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  process.on('message', (message) => {
    if (message === 'memory') process.send!({ memory: process.memoryUsage() });
    if (message === 'loop') {
      process.send!({ loop: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 } });
      loop.reset();
    }
  });
  process.channel.unref();
}
