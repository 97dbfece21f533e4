import { useState } from 'preact/hooks';
import type { Consumer } from '../api.types';
import { listConsumers, type Session } from '../access';
import { Empty, ErrorNotice, Fields, Loading, StatusBadge, Time } from '../components';
import { relative } from '../format';
import { useLoad } from '../hooks';
import { href, navigate } from '../router';

/** A tenant's consumers: type, enabled, circuit and waiting, last success and failure, and a test send. */
export function Consumers({ session, query, onError }: { session: Session; query: URLSearchParams; onError: (e: unknown) => void }) {
  const tenant = query.get('tenant') || session.tenants[0] || '';
  const consumers = useLoad(() => (tenant ? listConsumers(session.api, tenant) : Promise.resolve([])), [tenant], 5000, onError);

  return (
    <section aria-labelledby="consumers-title">
      <div class="title-row">
        <h1 id="consumers-title">Consumers</h1>
        <label class="inline">
          Tenant
          <select value={tenant} onChange={(e) => navigate('consumers', { tenant: (e.target as HTMLSelectElement).value })}>
            {session.tenants.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNotice error={consumers.error} />
      {!tenant ? (
        <Empty>No tenant is visible to this token.</Empty>
      ) : consumers.loading && !consumers.data ? (
        <Loading />
      ) : consumers.data && consumers.data.length === 0 ? (
        <Empty>Tenant {tenant} has no consumer.</Empty>
      ) : consumers.data ? (
        <div class="table-wrap">
          <table class="consumers">
            <caption class="visually-hidden">Consumers of tenant {tenant}</caption>
            <thead>
              <tr>
                <th scope="col">Consumer</th>
                <th scope="col">Type</th>
                <th scope="col">Enabled</th>
                <th scope="col">Circuit</th>
                <th scope="col">Last success</th>
                <th scope="col">Last failure</th>
                <th scope="col">Target</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {consumers.data.map((c) => (
                <ConsumerRow key={c.id} session={session} consumer={c} onError={onError} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function ConsumerRow({ session, consumer: c, onError }: { session: Session; consumer: Consumer; onError: (e: unknown) => void }) {
  const [test, setTest] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);

  async function sendTest() {
    setBusy(true);
    setTest(undefined);
    try {
      const path = `/tenants/${enc(c.tenant)}/consumers/${enc(c.type)}/${enc(c.name)}/test`;
      const result = await session.api.post<Record<string, unknown>>(path);
      setTest({ ok: true, text: describeTest(result) });
    } catch (e) {
      setTest({ ok: false, text: e instanceof Error ? e.message : String(e) });
      onError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <tr data-id={c.id}>
      <th scope="row" class="mono">
        <a href={href('deliveries', { consumer: c.id })} title="Deliveries of this consumer">
          {c.name}
        </a>
      </th>
      <td>{c.kind === 'hook' ? 'hook' : c.type}</td>
      <td>{c.enabled === false ? 'disabled' : 'enabled'}</td>
      <td>
        <Circuit consumer={c} />
      </td>
      <td>
        <Time iso={c.lastSuccessAt} />
      </td>
      <td>
        <Time iso={c.lastFailureAt} />
      </td>
      <td>
        <Fields value={c.summary} />
      </td>
      <td>
        <button type="button" onClick={sendTest} disabled={busy || c.enabled === false} aria-label={`Send test event to ${c.id}`}>
          {busy ? 'Sending…' : 'Send test event'}
        </button>
        {test ? (
          <p class={test.ok ? 'test-ok' : 'test-failed'} role="status">
            {test.text}
          </p>
        ) : null}
      </td>
    </tr>
  );
}

function Circuit({ consumer }: { consumer: Consumer }) {
  const circuit = consumer.circuit;
  if (circuit === undefined) return <span class="muted">—</span>;
  if (circuit === null) return <StatusBadge status="closed" />;
  return (
    <div class="circuit">
      <StatusBadge status={circuit.state} />
      {circuit.consecutiveFailures ? <span> {circuit.consecutiveFailures} failures in a row</span> : null}
      {circuit.nextProbeAt ? <span> · next probe {relative(circuit.nextProbeAt)}</span> : null}
      {circuit.waiting ? <span> · {circuit.waiting} waiting</span> : null}
    </div>
  );
}

function describeTest(result: Record<string, unknown>): string {
  const status = typeof result.status === 'string' ? result.status : 'sent';
  const error = typeof result.error === 'string' ? `: ${result.error}` : '';
  const duration = typeof result.durationMs === 'number' ? ` in ${result.durationMs} ms` : '';
  return `Test event ${status}${duration}${error}`;
}

function enc(value: string): string {
  return encodeURIComponent(value);
}
