import { useState } from 'preact/hooks';
import type { Attempt, Delivery } from '../api.types';
import type { Session } from '../access';
import { ErrorNotice, Fields, Loading, Notice, StatusBadge, Time } from '../components';
import { formatDuration, relative } from '../format';
import { useLoad } from '../hooks';
import { href } from '../router';

/** One delivery: its attempts, last error, target (fingerprints only) and next attempt; replay when dead. */
export function DeliveryDetail({ session, id, onError }: { session: Session; id: string; onError: (e: unknown) => void }) {
  const delivery = useLoad(() => session.api.get<Delivery>(`/deliveries/${encodeURIComponent(id)}`), [id], 3000, onError);
  const [replayed, setReplayed] = useState<string>();
  const [replayError, setReplayError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function replay() {
    setBusy(true);
    setReplayError(undefined);
    try {
      await session.api.post(`/deliveries/${encodeURIComponent(id)}/replay`);
      setReplayed('Replayed: the delivery is queued with fresh attempts.');
      await delivery.reload();
    } catch (e) {
      setReplayError(e);
      onError(e);
    } finally {
      setBusy(false);
    }
  }

  const d = delivery.data;
  return (
    <section aria-labelledby="delivery-title">
      <p>
        <a href={href('deliveries')}>← All deliveries</a>
      </p>
      <div class="title-row">
        <h1 id="delivery-title">
          Delivery <span class="mono">{id}</span>
        </h1>
        {d?.status === 'dead' ? (
          <button type="button" class="primary" onClick={replay} disabled={busy}>
            {busy ? 'Replaying…' : 'Replay'}
          </button>
        ) : null}
      </div>
      {replayed ? <Notice kind="success">{replayed}</Notice> : null}
      <ErrorNotice error={replayError} title="Replay failed" />
      <ErrorNotice error={delivery.error} />
      {!d && delivery.loading ? <Loading /> : null}
      {d ? (
        <>
          <dl class="summary">
            <div>
              <dt>Status</dt>
              <dd>
                <StatusBadge status={d.status} />
              </dd>
            </div>
            <div>
              <dt>Tenant</dt>
              <dd>{d.tenant}</dd>
            </div>
            <div>
              <dt>Consumer</dt>
              <dd class="mono">{d.consumer}</dd>
            </div>
            <div>
              <dt>Event id</dt>
              <dd class="mono">
                <a href={href('deliveries', { eventId: d.eventId })}>{d.eventId}</a>
              </dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>
                <Time iso={d.createdAt} />
              </dd>
            </div>
            <div>
              <dt>Next attempt</dt>
              <dd>
                {d.nextAttemptAt ? (
                  <>
                    <Time iso={d.nextAttemptAt} /> ({relative(d.nextAttemptAt)})
                  </>
                ) : (
                  <span class="muted">none scheduled</span>
                )}
              </dd>
            </div>
          </dl>
          <h2>Target</h2>
          <Fields value={d.target ?? undefined} />
          <h2>Last error</h2>
          {d.lastError ? <pre class="error-text">{d.lastError}</pre> : <p class="muted">None.</p>}
          <h2>Attempts</h2>
          <Attempts attempts={d.attempts} />
          {d.detail && Object.keys(d.detail).length ? (
            <>
              <h2>Destination's answer</h2>
              <Fields value={d.detail} />
            </>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

function Attempts({ attempts }: { attempts: Delivery['attempts'] }) {
  if (!Array.isArray(attempts)) return <p>{attempts} attempt(s) made.</p>;
  if (!attempts.length) return <p class="muted">No attempt yet.</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Time</th>
            <th scope="col">Duration</th>
            <th scope="col">Outcome</th>
            <th scope="col">HTTP</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((a: Attempt, i) => (
            <tr key={a.at + i}>
              <td class="num">{i + 1}</td>
              <td>
                <Time iso={a.at} />
              </td>
              <td class="num">{formatDuration(a.durationMs)}</td>
              <td>
                <StatusBadge status={a.outcome} />
              </td>
              <td class="num">{a.httpStatus ?? '—'}</td>
              <td class="error-cell">{a.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
