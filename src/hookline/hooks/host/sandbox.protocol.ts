import type { CpuBudget, HookRequestEntry, InvocationStatus, LogLevel } from './sandbox.types';

/**
 * What a hook's script exports, as its isolate found when it loaded it: Auth0 Hooks' function (called with
 * `user`, `context`), or Auth0 Actions' `onExecutePostUserRegistration` (called with `event`).
 */
export type ScriptForm = 'hooks' | 'actions';

/**
 * The error name of an invocation the worker refused because it came with the half of the arguments for
 * another form than its script has now (exports that changed form when the script was loaded again): the
 * hook did not run, and the pool sends it again with all of them. The result says so with `refused`; the
 * name alone proves nothing (a hook can throw an error of any name).
 */
export const FORM_CHANGED = 'SandboxFormChangedError';

/**
 * Messages between the app (the pool) and a sandbox worker process, over the IPC channel. Both sides
 * send arrays: the messages of one turn of their event loop, batched.
 */
export interface InvokeMessage {
  t: 'invoke';
  id: number;
  tenant: string;
  hookId: string;
  filename: string;
  hash: string;
  /** Sent the first time a worker sees this version of the script: prepared by `prepareHookSource`. */
  script?: { code: string; modules: string[] };
  /** The hook's arguments (a HookInput) as JSON, parsed inside the isolate. */
  payload: string;
  /**
   * The payload holds only what a script of this form reads (`user`, `context` and `eventId`, or
   * `actionsEvent`): the worker said which form this version of the script has. Absent: all of it.
   */
  parts?: ScriptForm;
  secrets: Record<string, string>;
  allowHosts: string[];
  /** Bundled npm packages the worker has not received yet (by module id; the script's `modules` name them). */
  dependencies?: Array<{ id: string; source: string }>;
  /** Id of the extra CA certificates its HTTPS requests trust, if any. */
  trust?: string;
  /** Their PEM text, sent the first time a worker sees that id. */
  ca?: string;
  /** Counted from its start: waiting for its turn in the worker does not count. */
  timeoutMs: number;
  memoryMb: number;
  cpuBudget?: CpuBudget;
}

export type ToWorker =
  | InvokeMessage
  | { t: 'cancel'; id: number; reason: string }
  /** The answer to a storage call (`sid`) of invocation `id`: JSON text for the hook's context. */
  | { t: 'storage'; id: number; sid: number; outcome: string };

export type FromWorker =
  | { t: 'log'; id: number; level: LogLevel; message: string }
  /** One `fetch` (or http/https request) of the hook, once answered, failed or refused. */
  | ({ t: 'request'; id: number } & HookRequestEntry)
  | {
      t: 'result';
      id: number;
      status: InvocationStatus;
      response: unknown;
      error: { name: string; message: string } | null;
      durationMs: number;
      /** The invocation is over too (no `end` follows). */
      ended?: boolean;
      /**
       * The worker refused it before the hook ran: it came with the half of the arguments for another form
       * than its script has now (error {@link FORM_CHANGED}). Set by the worker alone, never by a hook.
       */
      refused?: boolean;
    }
  /** The form of a hook's script, sent when the worker loads a version of it into a context. */
  | { t: 'form'; hookId: string; hash: string; form: ScriptForm }
  /** A `context.webtask.storage` call of invocation `id`, served by the app (`request`: JSON text, untrusted). */
  | { t: 'storage'; id: number; sid: number; request: string }
  /** The invocation is over: no more log lines will come for it. */
  | { t: 'end'; id: number }
  /** It waits for its tenant's turn (its timeout has not started)... */
  | { t: 'queued'; id: number }
  /** ...and now it started. */
  | { t: 'start'; id: number }
  /** A tenant past its CPU budget was passed over for another tenant's hook (once per tenant per window). */
  | { t: 'throttled'; tenant: string; hookId: string; usedMs: number; cpuMs: number; windowMs: number }
  /**
   * Replace the worker once its invocations are done: its memory passed its bound, or (`reason`) an isolate
   * may still be running work V8 could not stop (it would grow until it aborts the worker mid-hook).
   */
  | { t: 'recycle'; rssMb: number; reason?: string }
  | { t: 'fatal'; message: string }
  /** Sent once at start-up: the worker runs (a worker that dies before it is ready cannot start). */
  | { t: 'ready' };
