import { useState } from 'react';
import { api, ApiError, setApiKey } from '../api';

/** The API key is checked against GET /v1/keys and kept in sessionStorage (gone when the tab closes). */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setApiKey(key.trim());
    try {
      await api('/v1/keys');
      onSignedIn();
    } catch (err) {
      setApiKey(null);
      setError(err instanceof ApiError && err.status === 401 ? 'That key is not valid (or was revoked).' : String((err as Error).message));
    } finally {
      setBusy(false);
    }
  }
  return (
    <main className="signin">
      <h1>SliceFine</h1>
      <form onSubmit={submit}>
        <label htmlFor="api-key">API key</label>
        <input id="api-key" type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} placeholder="sk-..." required autoFocus />
        <button type="submit" disabled={busy || !key.trim()}>
          Sign in
        </button>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <p className="muted">The key stays in this tab's session storage; every request sends it as a Bearer token.</p>
      </form>
    </main>
  );
}
