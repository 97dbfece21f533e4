import { useState } from 'preact/hooks';
import { Api, ApiError, messageOf } from '../api';
import { openSession, type Session } from '../access';

/** Asks for the admin token once; it is checked against the API before the page keeps it. */
export function SignIn({ base, notice, onSignedIn }: { base: string; notice?: string; onSignedIn: (s: Session, token: string) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<{ title: string; message: string }>();
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const value = token.trim();
    if (!value) {
      setError({ title: 'A token is required', message: 'Paste an admin token to sign in.' });
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await openSession(new Api(base, value)), value);
    } catch (e) {
      setError(describe(e, base));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="sign-in" id="main">
      <form onSubmit={submit} aria-describedby={error ? 'sign-in-error' : undefined}>
        <h1>Hookline console</h1>
        {notice && !error ? <p class="notice notice-info" role="status">{notice}</p> : null}
        <label for="token">Admin token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          required
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
        />
        <p class="hint">Kept in this tab only (session storage) and sent only as a bearer header to {base}.</p>
        {error ? (
          <div class="notice notice-error" role="alert" id="sign-in-error">
            <strong>{error.title}</strong>
            <p>{error.message}</p>
          </div>
        ) : null}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

function describe(error: unknown, base: string): { title: string; message: string } {
  if (error instanceof ApiError) {
    if (error.kind === 'unauthorized') return { title: 'Token refused', message: 'The admin API did not accept this token. Check it and try again.' };
    if (error.kind === 'unreachable') return { title: 'The admin API is not reachable', message: error.message };
    if (error.kind === 'not-found') {
      return { title: 'No admin API here', message: `Nothing answers at ${base}: is the admin module mounted with a token?` };
    }
  }
  return { title: 'Sign-in failed', message: messageOf(error) };
}
