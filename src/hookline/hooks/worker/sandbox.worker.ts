/**
 * Entry point of a sandbox worker process (forked by SandboxPool with --no-node-snapshot). Isolates live
 * here, never in the app: a V8 out-of-memory abort that no isolate limit prevents takes down this
 * process alone, and the pool restarts it.
 */
import { CompatScripts } from './compat.scripts';
import { IsolateRuntime } from './isolate.runtime';
import { SANDBOX_LIMITS } from '../host/sandbox.limits';
import type { FromWorker, ToWorker } from '../host/sandbox.protocol';

const EVICT_EVERY_MS = 30_000;

function main(): void {
  if (!process.send) throw new Error('the sandbox worker must be started by SandboxPool (it needs an IPC channel)');
  const maxRssMb = Number(process.argv[2]) || SANDBOX_LIMITS.workerMaxRssMb;
  // The Auth0 compatibility bundles, located (and built if needed) by the pool.
  const compat = CompatScripts.fromFile(process.argv[3]);
  // Tenants whose hooks may start at once (see FairShare).
  const cpuSlots = Number(process.argv[4]) || SANDBOX_LIMITS.cpuSlotsPerWorker;
  // Messages produced in one turn of the event loop go out as one batch: fewer writes, fewer wake-ups.
  let outbox: FromWorker[] = [];
  const flush = () => {
    const batch = outbox;
    outbox = [];
    if (batch.length > 0 && process.connected) process.send!(batch);
  };
  const emit = (message: FromWorker) => {
    if (outbox.push(message) === 1) setImmediate(flush);
  };
  const runtime = new IsolateRuntime(emit, {
    maxRssMb,
    compat,
    cpuSlots,
    onCatastrophicError(message) {
      // V8 says the isolate's state is unknown: nothing in this process can be trusted any more.
      emit({ t: 'fatal', message });
      flush();
      process.exit(70);
    },
  });
  process.on('message', (batch: ToWorker[]) => {
    for (const message of batch) {
      if (message.t === 'invoke') void runtime.invoke(message);
      else if (message.t === 'cancel') runtime.cancel(message.id, message.reason);
      else if (message.t === 'storage') runtime.answerStorage(message.id, message.sid, message.outcome);
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => {
    flush();
    process.exit(0);
  });
  setInterval(() => runtime.evictIdle(), EVICT_EVERY_MS).unref();
  emit({ t: 'ready' });
}

main();
