import { useEffect, useState } from 'preact/hooks';
import { DELIVERY_STATUSES } from '../api.types';
import { fromLocalInput, toLocalInput } from '../format';
import type { Session } from '../access';
import { listConsumers } from '../access';

export interface DeliveryFilter {
  tenant?: string;
  consumer?: string;
  status?: string;
  eventId?: string;
  since?: string;
  until?: string;
}

export const FILTER_KEYS = ['tenant', 'consumer', 'status', 'eventId', 'since', 'until'] as const;

export function filterFromQuery(query: URLSearchParams): DeliveryFilter {
  const filter: DeliveryFilter = {};
  for (const key of FILTER_KEYS) filter[key] = query.get(key) || undefined;
  return filter;
}

/** The filter form: applied on submit (Enter in any field), so typing does not reload the table. */
export function DeliveryFilters({ session, value, onApply }: { session: Session; value: DeliveryFilter; onApply: (f: DeliveryFilter) => void }) {
  const [draft, setDraft] = useState<DeliveryFilter>(value);
  const [consumerIds, setConsumerIds] = useState<string[]>([]);
  useEffect(() => setDraft(value), [JSON.stringify(value)]);
  useEffect(() => {
    listConsumers(session.api, draft.tenant)
      .then((items) => setConsumerIds(items.map((c) => c.id)))
      .catch(() => setConsumerIds([]));
  }, [draft.tenant]);

  const set = (key: keyof DeliveryFilter) => (e: Event) => {
    const input = e.target as HTMLInputElement | HTMLSelectElement;
    const raw = input.value;
    setDraft({ ...draft, [key]: (key === 'since' || key === 'until' ? fromLocalInput(raw) : raw) || undefined });
  };

  return (
    <form
      class="filters"
      aria-label="Filter deliveries"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(draft);
      }}
    >
      <label>
        Tenant
        <select name="tenant" value={draft.tenant ?? ''} onChange={set('tenant')}>
          <option value="">{session.access.tenants === '*' ? 'All tenants' : 'All my tenants'}</option>
          {session.tenants.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      <label>
        Consumer
        <input name="consumer" list="consumer-ids" value={draft.consumer ?? ''} onInput={set('consumer')} placeholder="tenant/type/name" />
        <datalist id="consumer-ids">
          {consumerIds.map((id) => (
            <option key={id} value={id} />
          ))}
        </datalist>
      </label>
      <label>
        Status
        <select name="status" value={draft.status ?? ''} onChange={set('status')}>
          <option value="">Any status</option>
          {DELIVERY_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label>
        Event id
        <input name="eventId" value={draft.eventId ?? ''} onInput={set('eventId')} spellcheck={false} />
      </label>
      <label>
        Since
        <input name="since" type="datetime-local" value={toLocalInput(draft.since)} onChange={set('since')} />
      </label>
      <label>
        Until
        <input name="until" type="datetime-local" value={toLocalInput(draft.until)} onChange={set('until')} />
      </label>
      <div class="filter-actions">
        <button type="submit" class="primary">
          Apply filters
        </button>
        <button type="button" onClick={() => onApply({})}>
          Clear
        </button>
      </div>
    </form>
  );
}
