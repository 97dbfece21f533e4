import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api';
import type { RunnerResult, RunnerWarning } from '../api.types';
import { listConsumers, type Session } from '../access';
import { ErrorNotice, StatusBadge } from '../components';
import { formatDuration } from '../format';
import { useLoad } from '../hooks';

const PASTE = '';
const STARTER_SCRIPT = `module.exports = function (user, context, cb) {
  console.log('new user', user.email);
  cb();
};
`;

/** Runs a tenant's hook, or a pasted script (without any secret), on an event edited here. */
export function Runner({ session, onError }: { session: Session; onError: (e: unknown) => void }) {
  const [tenant, setTenant] = useState(session.tenants[0] ?? '');
  const [hook, setHook] = useState(PASTE);
  const [script, setScript] = useState(STARTER_SCRIPT);
  const [eventText, setEventText] = useState('');
  const [result, setResult] = useState<RunnerResult>();
  const [runError, setRunError] = useState<unknown>();
  const [problems, setProblems] = useState<RunnerWarning[]>([]);
  const [busy, setBusy] = useState(false);

  const hooks = useLoad(
    () => (tenant ? listConsumers(session.api, tenant).then((items) => items.filter((c) => c.kind === 'hook')) : Promise.resolve([])),
    [tenant],
    undefined,
    onError,
  );
  const sample = useLoad(() => session.api.get<{ event: unknown }>('/runner/sample'), [], undefined, onError);
  useEffect(() => {
    if (sample.data && !eventText) setEventText(JSON.stringify(sample.data.event, null, 2));
  }, [sample.data]);

  // The script is checked as it is edited (syntax, unsupported require), before anything runs.
  useEffect(() => {
    if (hook !== PASTE) return setProblems([]);
    const timer = setTimeout(() => {
      session.api
        .post<RunnerResult>('/runner', { script, validateOnly: true })
        .then((r) => setProblems(problemsOf(r)))
        .catch(() => setProblems([]));
    }, 400);
    return () => clearTimeout(timer);
  }, [script, hook]);

  const eventError = jsonError(eventText);

  async function run(e: Event) {
    e.preventDefault();
    if (eventError) return;
    setBusy(true);
    setRunError(undefined);
    setResult(undefined);
    try {
      const event = eventText.trim() ? JSON.parse(eventText) : undefined;
      const body = hook === PASTE ? { script, event, tenant: tenant || undefined } : { tenant, hook, event };
      setResult(await session.api.post<RunnerResult>('/runner', body));
    } catch (error) {
      setRunError(error);
      onError(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="runner-title">
      <h1 id="runner-title">Runner</h1>
      <form class="runner" onSubmit={run}>
        <div class="runner-source">
          <label class="inline">
            Tenant
            <select value={tenant} onChange={(e) => (setTenant((e.target as HTMLSelectElement).value), setHook(PASTE))}>
              {session.tenants.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          <label class="inline">
            Hook
            <select value={hook} onChange={(e) => setHook((e.target as HTMLSelectElement).value)}>
              <option value={PASTE}>Paste a script</option>
              {(hooks.data ?? []).map((c) => (
                <option key={c.id} value={c.name}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
        </div>
        {hook === PASTE ? (
          <>
            <label for="runner-script">Script (runs without any configured secret)</label>
            <textarea
              id="runner-script"
              class="code"
              rows={12}
              spellcheck={false}
              value={script}
              onInput={(e) => setScript((e.target as HTMLTextAreaElement).value)}
              aria-describedby="runner-problems"
            />
            <div id="runner-problems" aria-live="polite">
              {problems.length ? (
                <ul class="problems">
                  {problems.map((p, i) => (
                    <li key={i}>
                      {p.line ? <strong>Line {p.line}{p.column ? `:${p.column}` : ''}: </strong> : null}
                      {p.message}
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          </>
        ) : (
          <p class="hint">
            Runs <code>{tenant}</code>'s hook <code>{hook}</code> as configured, with its secrets and allowed hosts.
          </p>
        )}
        <label for="runner-event">Event (JSON: Auth0's user and context, or a user.registered event)</label>
        <textarea
          id="runner-event"
          class="code"
          rows={12}
          spellcheck={false}
          value={eventText}
          onInput={(e) => setEventText((e.target as HTMLTextAreaElement).value)}
          aria-invalid={eventError ? true : undefined}
          aria-describedby="runner-event-error"
        />
        <p id="runner-event-error" class="field-error">
          {eventError}
        </p>
        <button type="submit" class="primary" disabled={busy || !!eventError}>
          {busy ? 'Running…' : 'Run'}
        </button>
      </form>
      <ErrorNotice error={runError} title={runError instanceof ApiError && runError.kind === 'invalid' ? 'Cannot run' : undefined} />
      {result ? <RunResult result={result} /> : null}
    </section>
  );
}

function RunResult({ result }: { result: RunnerResult }) {
  return (
    <section class="run-result" aria-labelledby="run-result-title">
      <h2 id="run-result-title">
        Result <StatusBadge status={result.status} /> <span class="muted">{formatDuration(result.durationMs)}</span>
      </h2>
      {result.error ? (
        <pre class="error-text">
          {result.error.name}: {result.error.message}
        </pre>
      ) : null}
      <h3>Logs</h3>
      {result.logs.length ? (
        <pre class="logs">
          {result.logs.map((l, i) => (
            <div key={i} class={`log log-${l.level}`}>
              [{l.level}] {l.message}
            </div>
          ))}
        </pre>
      ) : (
        <p class="muted">No log line.</p>
      )}
      <h3>Outbound requests</h3>
      {result.requests.length ? (
        <table class="requests">
          <thead>
            <tr>
              <th scope="col">Method</th>
              <th scope="col">URL</th>
              <th scope="col">Status</th>
              <th scope="col">Duration</th>
            </tr>
          </thead>
          <tbody>
            {result.requests.map((r, i) => (
              <tr key={i} class={r.refused ? 'refused' : undefined}>
                <td>{r.method}</td>
                <td class="mono">{r.url}</td>
                <td>
                  {r.refused ? <strong>refused: {r.error}</strong> : r.status === null ? <strong>failed: {r.error}</strong> : r.status}
                </td>
                <td class="num">{formatDuration(r.durationMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">None.</p>
      )}
      <h3>Response</h3>
      <pre class="code-out">{result.response === null || result.response === undefined ? '(none)' : JSON.stringify(result.response, null, 2)}</pre>
    </section>
  );
}

/** Warnings with a line, and a script error found before running (syntax, unsupported require). */
function problemsOf(result: RunnerResult): RunnerWarning[] {
  const found = [...(result.warnings ?? [])];
  if (result.error && /SyntaxError|ModuleNotSupported/.test(result.error.name)) {
    const at = /:(\d+):(\d+)/.exec(result.error.message) ?? /line (\d+)/i.exec(result.error.message);
    found.unshift({ code: result.error.name, message: result.error.message, line: at ? Number(at[1]) : null, column: at?.[2] ? Number(at[2]) : null });
  }
  return found;
}

function jsonError(text: string): string {
  if (!text.trim()) return '';
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? '' : 'The event must be a JSON object.';
  } catch (e) {
    return `Invalid JSON: ${(e as Error).message}`;
  }
}
