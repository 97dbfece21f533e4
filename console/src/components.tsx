import type { ComponentChildren } from 'preact';
import { ApiError } from './api';
import { formatTime, relative } from './format';

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status}`}>{status.replace('_', ' ')}</span>;
}

export function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span class="muted">—</span>;
  return (
    <time dateTime={iso} title={relative(iso)}>
      {formatTime(iso)}
    </time>
  );
}

/** An error the reader can act on; `role="alert"` so a screen reader says it. */
export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : undefined;
  const heading = title ?? (api?.kind === 'unreachable' ? 'The admin API is not reachable' : 'Something went wrong');
  return (
    <div class="notice notice-error" role="alert">
      <strong>{heading}</strong>
      <p>{error instanceof Error ? error.message : String(error)}</p>
      {api?.issues.length ? (
        <ul>
          {api.issues.map((i) => (
            <li key={i.path + i.message}>
              <code>{i.path || '(request)'}</code>: {i.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'success'; children: ComponentChildren }) {
  return (
    <div class={`notice notice-${kind}`} role="status">
      {children}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export function Loading() {
  return (
    <p class="muted" role="status">
      Loading…
    </p>
  );
}

/** Key/value pairs of a safe summary (host, fingerprint): values shown as text, objects as JSON. */
export function Fields({ value }: { value: Record<string, unknown> | null | undefined }) {
  const entries = Object.entries(value ?? {});
  if (!entries.length) return <span class="muted">—</span>;
  return (
    <dl class="fields">
      {entries.map(([key, v]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
        </div>
      ))}
    </dl>
  );
}
