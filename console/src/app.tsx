import { useEffect, useState } from 'preact/hooks';
import { Api, ApiError } from './api';
import { openSession, type Session } from './access';
import { adminPath, clearToken, storeToken, storedToken } from './session';
import { href, useRoute } from './router';
import { SignIn } from './views/sign-in';
import { Overview } from './views/overview';
import { Deliveries } from './views/deliveries';
import { DeliveryDetail } from './views/delivery-detail';
import { Consumers } from './views/consumers';
import { Runner } from './views/runner';
import { ErrorNotice, Loading } from './components';

const NAV = [
  { path: 'overview', label: 'Overview' },
  { path: 'deliveries', label: 'Deliveries' },
  { path: 'consumers', label: 'Consumers' },
  { path: 'runner', label: 'Runner' },
];

export function App() {
  const base = adminPath();
  const [session, setSession] = useState<Session>();
  const [restoring, setRestoring] = useState(() => storedToken() !== null);
  const [notice, setNotice] = useState<string>();
  const [restoreError, setRestoreError] = useState<unknown>();

  // A token kept from earlier in this tab is checked again: it may have been revoked since.
  useEffect(() => {
    const token = storedToken();
    if (!token) return;
    openSession(new Api(base, token))
      .then(setSession)
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.kind === 'unauthorized') {
          clearToken();
          setNotice('Your token is no longer accepted. Sign in again.');
        } else setRestoreError(error);
      })
      .finally(() => setRestoring(false));
  }, []);

  function signOut(message?: string) {
    clearToken();
    setSession(undefined);
    setRestoreError(undefined);
    setNotice(message ?? 'Signed out.');
  }

  if (restoring) return <Loading />;
  if (restoreError && !session) {
    return (
      <main class="sign-in" id="main">
        <ErrorNotice error={restoreError} />
        <button type="button" onClick={() => location.reload()}>
          Try again
        </button>{' '}
        <button type="button" onClick={() => signOut()}>
          Sign out
        </button>
      </main>
    );
  }
  if (!session) {
    return (
      <SignIn
        base={base}
        notice={notice}
        onSignedIn={(s, token) => {
          storeToken(token);
          setNotice(undefined);
          setSession(s);
        }}
      />
    );
  }
  return <Shell session={session} onSignOut={signOut} />;
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: (message?: string) => void }) {
  const route = useRoute();
  const [section = 'overview', id] = route.path;
  const onUnauthorized = (error: unknown) => {
    if (error instanceof ApiError && error.kind === 'unauthorized') onSignOut('Your token is no longer accepted. Sign in again.');
  };
  const scope = session.access.tenants === '*' ? 'all tenants' : `tenants: ${session.access.tenants.join(', ') || 'none'}`;

  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Hookline</span>
        <nav aria-label="Sections">
          {NAV.map((item) => (
            <a key={item.path} href={href(item.path)} aria-current={item.path === section ? 'page' : undefined}>
              {item.label}
            </a>
          ))}
        </nav>
        <span class="who" title={`Signed in as ${session.access.principal}`}>
          {scope}
        </span>
        <button type="button" onClick={() => onSignOut()}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {section === 'deliveries' && id ? (
          <DeliveryDetail session={session} id={id} onError={onUnauthorized} />
        ) : section === 'deliveries' ? (
          <Deliveries session={session} query={route.query} onError={onUnauthorized} />
        ) : section === 'consumers' ? (
          <Consumers session={session} query={route.query} onError={onUnauthorized} />
        ) : section === 'runner' ? (
          <Runner session={session} onError={onUnauthorized} />
        ) : (
          <Overview session={session} onError={onUnauthorized} />
        )}
      </main>
    </>
  );
}
