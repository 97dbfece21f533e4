/**
 * `--require`d into the example app by the benchmarks: answers `'memory'` on the IPC channel with the
 * app's `process.memoryUsage()` (heap and external figures cannot be read from outside the process).
 * The channel is unref'd so that it never keeps the app alive.
 */
if (process.send && process.channel) {
  process.on('message', (message) => {
    if (message === 'memory') process.send!(process.memoryUsage());
  });
  process.channel.unref();
}
