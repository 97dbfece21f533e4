import { useEffect, useMemo, useState } from 'preact/hooks';
import type { BulkReplayResult, Delivery, Page } from '../api.types';
import type { Session } from '../access';
import { Empty, ErrorNotice, Loading, Notice, StatusBadge, Time } from '../components';
import { ConfirmDialog } from '../dialog';
import { formatDuration } from '../format';
import { useLoad } from '../hooks';
import { href, navigate } from '../router';
import { DeliveryFilters, FILTER_KEYS, filterFromQuery, type DeliveryFilter } from './filters';

const PAGE_SIZE = 25;
const POLL_MS = 4000;

interface Props {
  session: Session;
  query: URLSearchParams;
  onError: (e: unknown) => void;
}

/**
 * The delivery log. It polls; rows already shown update in place, and newer deliveries wait behind a
 * "show" button on the first page, so the table never moves under the reader.
 */
export function Deliveries({ session, query, onError }: Props) {
  const filter = filterFromQuery(query);
  const cursor = query.get('cursor') || undefined;
  const key = query.toString();
  const [history, setHistory] = useState<string[]>([]);
  const [shownIds, setShownIds] = useState<string[] | null>(null);
  const [bulk, setBulk] = useState<{ matched: number } | null>(null);
  const [outcome, setOutcome] = useState<string>();
  const [actionError, setActionError] = useState<unknown>();

  const page = useLoad(
    () => session.api.get<Page<Delivery>>('/deliveries', { ...filter, limit: PAGE_SIZE, cursor }),
    [key],
    POLL_MS,
    onError,
  );
  useEffect(() => setShownIds(null), [key]);
  // The first answer for these filters fixes which rows are shown; later polls only refresh them.
  useEffect(() => {
    if (page.data && shownIds === null) setShownIds(page.data.items.map((d) => d.id));
  }, [page.data, shownIds]);

  const latest = page.data?.items ?? [];
  const byId = useMemo(() => new Map(latest.map((d) => [d.id, d])), [latest]);
  const rows = (shownIds ?? []).map((id) => byId.get(id)).filter((d): d is Delivery => !!d);
  const fresh = shownIds ? latest.filter((d) => !shownIds.includes(d.id)).length : 0;

  function apply(next: DeliveryFilter) {
    setHistory([]);
    navigate('deliveries', { ...next });
  }
  function older() {
    if (!page.data?.nextCursor) return;
    setHistory([...history, cursor ?? '']);
    navigate('deliveries', { ...filter, cursor: page.data.nextCursor });
  }
  function newer() {
    const previous = history[history.length - 1];
    setHistory(history.slice(0, -1));
    navigate('deliveries', { ...filter, cursor: previous || undefined });
  }

  const bulkFilter = Object.fromEntries(FILTER_KEYS.filter((k) => k !== 'status' && filter[k]).map((k) => [k, filter[k]]));
  async function askBulk() {
    setOutcome(undefined);
    setActionError(undefined);
    try {
      const dry = await session.api.post<BulkReplayResult>('/deliveries/replay', { filter: bulkFilter, dryRun: true });
      setBulk({ matched: dry.matched });
    } catch (e) {
      setActionError(e);
      onError(e);
    }
  }
  async function confirmBulk() {
    try {
      const result = await session.api.post<BulkReplayResult>('/deliveries/replay', { filter: bulkFilter });
      setOutcome(`${result.requeued} dead ${result.requeued === 1 ? 'delivery' : 'deliveries'} re-queued.`);
      setShownIds(null);
      await page.reload();
    } catch (e) {
      setActionError(e);
      onError(e);
    } finally {
      setBulk(null);
    }
  }

  return (
    <section aria-labelledby="deliveries-title">
      <div class="title-row">
        <h1 id="deliveries-title">Deliveries</h1>
        <button type="button" onClick={askBulk}>
          Replay dead deliveries…
        </button>
      </div>
      <DeliveryFilters session={session} value={filter} onApply={apply} />
      {outcome ? <Notice kind="success">{outcome}</Notice> : null}
      <ErrorNotice error={actionError} />
      <ErrorNotice error={page.error} />
      {fresh > 0 && !cursor ? (
        <button type="button" class="fresh" onClick={() => setShownIds(latest.map((d) => d.id))}>
          Show {fresh} newer {fresh === 1 ? 'delivery' : 'deliveries'}
        </button>
      ) : null}
      {page.loading && !page.data ? (
        <Loading />
      ) : rows.length === 0 && !page.error ? (
        <Empty>{Object.values(filter).some(Boolean) ? 'No delivery matches these filters.' : 'No deliveries yet. They appear here as users register.'}</Empty>
      ) : rows.length ? (
        <DeliveryTable rows={rows} />
      ) : null}
      <nav class="pager" aria-label="Pages">
        <button type="button" onClick={newer} disabled={!cursor}>
          ← Newer
        </button>
        <button type="button" onClick={older} disabled={!page.data?.nextCursor}>
          Older →
        </button>
      </nav>
      {bulk ? (
        <ConfirmDialog
          title="Replay dead deliveries"
          confirmLabel={`Replay ${bulk.matched}`}
          busy={bulk.matched === 0}
          onConfirm={() => void confirmBulk()}
          onCancel={() => setBulk(null)}
        >
          <p>
            {bulk.matched === 0
              ? 'No dead delivery matches the current filters.'
              : `${bulk.matched} dead ${bulk.matched === 1 ? 'delivery matches' : 'deliveries match'} the current filters. Replay ${bulk.matched === 1 ? 'it' : 'them all'} with fresh attempts?`}
          </p>
          <FilterSummary filter={bulkFilter} />
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

function FilterSummary({ filter }: { filter: Record<string, string | undefined> }) {
  const entries = Object.entries(filter);
  if (!entries.length) return <p class="muted">No filter: every tenant you can see.</p>;
  return (
    <ul class="filter-summary">
      {entries.map(([k, v]) => (
        <li key={k}>
          {k}: <code>{v}</code>
        </li>
      ))}
    </ul>
  );
}

function DeliveryTable({ rows }: { rows: Delivery[] }) {
  return (
    <div class="table-wrap">
      <table class="deliveries">
        <caption class="visually-hidden">Deliveries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Created</th>
            <th scope="col">Tenant</th>
            <th scope="col">Consumer</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Duration</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.id} data-id={d.id}>
              <td>
                <a href={href(`deliveries/${encodeURIComponent(d.id)}`)} aria-label={`Delivery ${d.id} to ${d.consumer}`}>
                  <Time iso={d.createdAt} />
                </a>
              </td>
              <td>{d.tenant}</td>
              <td class="mono">{d.consumer}</td>
              <td>
                <StatusBadge status={d.status} />
              </td>
              <td class="num">{Array.isArray(d.attempts) ? d.attempts.length : d.attempts}</td>
              <td class="num">{formatDuration(d.durationMs)}</td>
              <td class="error-cell" title={d.lastError ?? undefined}>
                {d.lastError ?? ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
