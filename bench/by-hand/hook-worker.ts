/**
 * The by-hand app's hook runner (see ./deliveries.ts): one child process holding one isolated-vm isolate
 * with the tenant's hook compiled once. For each event the parent sends, it calls the hook with copies of
 * `user` and `context` and answers when its callback is called. The hook's `console.log` goes straight to
 * this process's stdout (inherited from the app). No limits besides the isolate's memory and a timeout,
 * no secrets, no module shims, no fair share: the least a team would write.
 */
import { readFileSync } from 'node:fs';
import ivm from 'isolated-vm';
import { compileRawHook, invokeRawHook, type RawHook } from '../raw-hook';

interface Invocation {
  id: number;
  user: unknown;
  context: unknown;
}

/** The isolate's hook, once compiled; invocations that arrive before wait for it. */
async function load(): Promise<RawHook> {
  const isolate = new ivm.Isolate({ memoryLimit: 64 });
  const context = await isolate.createContext();
  await context.global.set('__log', new ivm.Callback((line: string) => void process.stdout.write(line + '\n')));
  await context.eval(`globalThis.console = { log: (...a) => __log(a.join(' ')) };`);
  return compileRawHook(context, readFileSync(process.argv[2], 'utf8'));
}

const hook = load();
hook.catch((error: Error) => {
  process.stderr.write(`by-hand hook worker: ${error.message}\n`);
  process.exit(1);
});
// Listening at once: a message that came before the isolate was ready would be lost otherwise.
process.on('message', (call: Invocation) => {
  hook
    .then((fn) => invokeRawHook(fn, call.user, call.context))
    .then(
      () => process.send!({ id: call.id, ok: true }),
      (error: Error) => process.send!({ id: call.id, ok: false, error: String(error?.message ?? error) }),
    );
});
