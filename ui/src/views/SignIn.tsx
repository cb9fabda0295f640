// Shown when the admin API refuses this browser: how to get a session.

import { useState } from 'preact/hooks';
import { Logo } from '../components/bits';
import { shellQuote } from '../lib/curl';
import { errorText } from '../lib/traces';
import { platform } from '../platform';
import type { Bootstrap } from '../types';

export function SignIn({ boot, onSignedIn }: { boot: Bootstrap | null; onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(boot?.login_error ?? null);
  const readToken = boot ? `cat ${shellQuote(boot.admin_token_file)}` : undefined;

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      if (await platform.signIn(token.trim())) onSignedIn();
      else setError("That is not this mockbank's admin token.");
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="signin" data-testid="signin">
      <form class="card signin-card" onSubmit={submit}>
        <div class="signin-brand">
          <Logo size={30} />
          <span>mockbank</span>
        </div>
        <h1>Sign in</h1>
        {error && <p class="alert" role="alert">{error}</p>}
        <p>
          This browser has no session with the mockbank at <code>{boot?.base_url ?? location.origin}</code>. Open the
          one-time <code>ui_url</code> link from mockbank's ready line, or paste the admin token: the content of the{' '}
          <code>admin_token_file</code> it names{boot && (
            <>
              , <code data-testid="admin-token-file">{boot.admin_token_file}</code>
            </>
          )}
          .
        </p>
        <label class="field">
          <span>Admin token</span>
          <input
            type="password"
            name="token"
            autocomplete="off"
            spellcheck={false}
            value={token}
            onInput={(e) => setToken((e.target as HTMLInputElement).value)}
            placeholder={readToken}
          />
        </label>
        <button class="btn btn-primary" type="submit" disabled={busy || token.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p class="muted small">
          The session is an HttpOnly cookie for this address only; <em>Sign out</em> clears it.
        </p>
      </form>
    </div>
  );
}
