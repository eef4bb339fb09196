/** Log in with an e-mail and password (the local identity provider; in AWS, Cognito's hosted UI). */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiProblem, api } from '../api/client.ts';
import type { LoginResponse } from '../api/types.gen.ts';

function explain(error: ApiProblem): string {
  if (error.code === 'AccessWindowEnded') {
    return `${error.message}. Your access as an auditor is over: ask the provider to extend it if you still need it.`;
  }
  if (error.status === 401) return 'Wrong e-mail or password.';
  if (error.status === 429) return `${error.message}. Too many failed attempts: wait a little before trying again.`;
  return error.message;
}

/** What both logins share: the title, the focused heading (for screen readers), the session notice. */
function LoginFrame({ notice, children }: { notice?: string | undefined; children: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = 'Log in — Reversa portal';
    heading.current?.focus();
  }, []);
  return (
    <main id="main" class="login">
      <div class="login-box">
        <p class="brand brand-large">Reversa</p>
        <h1 ref={heading} tabIndex={-1}>
          Log in to the portal
        </h1>
        <p class="muted">Backups, restore tests, the audit log and reversibility dossiers of your services.</p>
        {notice ? (
          <div class="notice notice-warn" role="status" id="session-notice">
            {notice}
          </div>
        ) : null}
        {children}
      </div>
    </main>
  );
}

export function LoginPage({ notice, onLoggedIn }: { notice?: string; onLoggedIn: (login: LoginResponse) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const login = await api<LoginResponse>('/v1/auth/login', {
        method: 'POST',
        body: { email: email.trim(), password },
      });
      setPassword('');
      onLoggedIn(login);
    } catch (e) {
      setError(e instanceof ApiProblem ? explain(e) : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <LoginFrame notice={notice}>
      <form onSubmit={submit} noValidate={false}>
        <label for="email">E-mail</label>
        <input
          id="email"
          name="email"
          type="email"
          autocomplete="username"
          required
          value={email}
          onInput={(e) => setEmail((e.currentTarget as HTMLInputElement).value)}
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)}
        />
        {error ? (
          <p class="notice notice-error" role="alert" id="login-error">
            {error}
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </LoginFrame>
  );
}

/**
 * In AWS: one button to the Cognito hosted UI (authorization code + PKCE, web/src/auth/), which asks for the
 * password and, when the user enrolled one, the second factor. A refused or failed login comes back as `error`.
 */
export function HostedLoginPage({ notice, error, onStart }: { notice?: string; error?: string; onStart: () => void }) {
  const [busy, setBusy] = useState(false);
  return (
    <LoginFrame notice={notice}>
      {error ? (
        <p class="notice notice-error" role="alert" id="login-error">
          {error}
        </p>
      ) : null}
      <button
        type="button"
        class="primary"
        id="hosted-login"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          onStart();
        }}
      >
        {busy ? 'Opening the login page…' : 'Log in'}
      </button>
    </LoginFrame>
  );
}
