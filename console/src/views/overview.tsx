import type { Stats } from '../api.types';
import type { Session } from '../access';
import { ErrorNotice, Loading } from '../components';
import { useLoad } from '../hooks';
import { href } from '../router';

const OUTCOMES = ['succeeded', 'failed', 'dead'] as const;

/** At a glance: deliveries by outcome per minute over the last hour, and the backlog now. */
export function Overview({ session, onError }: { session: Session; onError: (e: unknown) => void }) {
  const stats = useLoad(() => session.api.get<Stats>('/stats', { window: '1h' }), [], 10_000, onError);
  const data = stats.data;
  const totals = OUTCOMES.map((o) => ({ outcome: o, count: (data?.minutes ?? []).reduce((n, m) => n + count(m[o]), 0) }));

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <ErrorNotice error={stats.error} />
      {!data && stats.loading ? <Loading /> : null}
      {data ? (
        <>
          <div class="cards">
            <a class="card" href={href('deliveries', { status: 'pending' })}>
              <span class="card-value" data-testid="backlog">
                {data.waiting}
              </span>
              <span class="card-label">waiting now (backlog)</span>
            </a>
            {totals.map((t) => (
              <a key={t.outcome} class={`card card-${t.outcome}`} href={href('deliveries', { status: t.outcome })}>
                <span class="card-value">{t.count}</span>
                <span class="card-label">{t.outcome} in the last hour</span>
              </a>
            ))}
          </div>
          <OutcomeChart minutes={data.minutes} />
        </>
      ) : null}
    </section>
  );
}

function OutcomeChart({ minutes }: { minutes: Stats['minutes'] }) {
  const width = 720;
  const height = 160;
  const peak = Math.max(1, ...minutes.map((m) => OUTCOMES.reduce((n, o) => n + count(m[o]), 0)));
  const bar = width / Math.max(minutes.length, 1);
  const summary = OUTCOMES.map((o) => `${minutes.reduce((n, m) => n + count(m[o]), 0)} ${o}`).join(', ');
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-label={`Deliveries per minute over the last hour: ${summary}`}>
        {minutes.map((m, i) => {
          let y = height;
          return (
            <g key={m.at}>
              <title>
                {new Date(m.at).toLocaleTimeString()}: {OUTCOMES.map((o) => `${count(m[o])} ${o}`).join(', ')}
              </title>
              {OUTCOMES.map((o) => {
                const h = (count(m[o]) / peak) * height;
                y -= h;
                return h > 0 ? <rect key={o} class={`bar-${o}`} x={i * bar + 1} y={y} width={Math.max(bar - 2, 1)} height={h} /> : null;
              })}
            </g>
          );
        })}
        <line x1="0" y1={height} x2={width} y2={height} class="axis" />
        <text x="0" y={height + 16} class="axis-label">
          1 h ago
        </text>
        <text x={width} y={height + 16} class="axis-label" text-anchor="end">
          now
        </text>
      </svg>
      <figcaption>
        <ul class="legend">
          {OUTCOMES.map((o) => (
            <li key={o}>
              <span class={`swatch bar-${o}`} aria-hidden="true" /> {o}
            </li>
          ))}
          <li class="muted">peak {peak}/min</li>
        </ul>
      </figcaption>
    </figure>
  );
}

function count(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}
