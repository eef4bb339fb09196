/**
 * The portal: the session (login, logout, expiry back to login), the caller and its tenants, the
 * page shell (skip link, header with the tenant switcher, section navigation, main landmark) and
 * one page per job. What a role may not do is hidden; the API's 403 still decides.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { configureApi, type SessionEndReason } from './api/client.ts';
import type { LoginResponse, Me, Tenants } from './api/types.gen.ts';
import {
  completeHostedLogin,
  hostedLogout,
  type LoginMode,
  loadLoginMode,
  startHostedLogin,
} from './auth/hosted-ui.ts';
import { Loading, ProblemNotice } from './components/notice.tsx';
import { AuditPage } from './pages/audit.tsx';
import { DashboardPage } from './pages/dashboard.tsx';
import { DossiersPage } from './pages/dossiers.tsx';
import { FindingDetailPage, FindingsPage } from './pages/findings.tsx';
import { HostedLoginPage, LoginPage } from './pages/login.tsx';
import { EvidencePage, RestoreTestsPage } from './pages/restore-tests.tsx';
import { ROLE_NAMES, type Role } from './roles.ts';
import { navigate, parseRoute, type Route, type TenantPage, tenantHref, useLocation } from './router.ts';
import { clearSession, loadSession, type Session, saveSession, sessionFromLogin } from './session.ts';
import { useApi } from './use-api.ts';

const SECTIONS: Array<{ page: TenantPage; label: string }> = [
  { page: 'dashboard', label: 'Dashboard' },
  { page: 'findings', label: 'Findings' },
  { page: 'restore-tests', label: 'Restore tests' },
  { page: 'audit', label: 'Audit' },
  { page: 'dossiers', label: 'Dossiers' },
];

const TITLES: Record<Route['page'], string> = {
  login: 'Log in',
  callback: 'Logging in',
  home: 'Portal',
  dashboard: 'Dashboard',
  findings: 'Findings',
  finding: 'Finding',
  'restore-tests': 'Restore-test log',
  'restore-test': 'Evidence record',
  audit: 'Audit',
  dossiers: 'Dossiers',
  'not-found': 'Not found',
};

/** The section a page belongs to (a finding belongs to Findings). */
function sectionOf(route: Route): TenantPage | undefined {
  if (route.page === 'finding') return 'findings';
  if (route.page === 'restore-test') return 'restore-tests';
  if (route.page === 'dashboard' || route.page === 'findings' || route.page === 'restore-tests') return route.page;
  if (route.page === 'audit' || route.page === 'dossiers') return route.page;
  return undefined;
}

/** Where a role starts: the auditor comes for the audit view, everyone else for the dashboard. */
function homeOf(role: Role, tenant: string): string {
  return tenantHref(tenant, role === 'auditor' ? 'audit' : 'dashboard');
}

function TenantSwitcher({ tenants, current, route }: { tenants: Tenants['tenants']; current: string; route: Route }) {
  if (tenants.length < 2) {
    const only = tenants[0];
    return only ? <span class="tenant-name">{only.name}</span> : null;
  }
  const section = sectionOf(route) ?? 'dashboard';
  return (
    <div class="tenant-switcher">
      <label for="tenant">Tenant</label>
      <select
        id="tenant"
        value={current}
        onChange={(e) => navigate(tenantHref((e.currentTarget as HTMLSelectElement).value, section))}
      >
        {tenants.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name} ({t.id})
          </option>
        ))}
      </select>
    </div>
  );
}

function Shell({
  me,
  tenants,
  route,
  onLogout,
}: {
  me: Me;
  tenants: Tenants['tenants'];
  route: Route;
  onLogout: () => void;
}) {
  const tenant = 'tenant' in route ? route.tenant : undefined;
  const known = tenant === undefined ? undefined : tenants.find((t) => t.id === tenant);
  const section = sectionOf(route);
  const main = useRef<HTMLElement>(null);
  // The page shown, as one value: the effect below runs once per navigation (and when the tenant's name arrives).
  const shown = `${JSON.stringify(route)}|${known?.name ?? ''}`;
  useEffect(() => {
    document.title = `${TITLES[route.page]}${known ? ` — ${known.name}` : ''} — Reversa portal`;
    // Move focus to the new page's heading, as a page load would, so screen readers announce it.
    const heading = main.current?.querySelector<HTMLElement>('h1');
    if (heading) heading.focus({ preventScroll: false });
    // Only on navigation, not on every re-render.
  }, [shown]);
  let page: preact.ComponentChildren;
  if (tenant !== undefined && !known) {
    page = (
      <>
        <h1 tabIndex={-1}>No such tenant</h1>
        <p>
          There is no tenant <code>{tenant}</code> among yours. <a href="/">Go to your start page</a>.
        </p>
      </>
    );
  } else {
    switch (route.page) {
      case 'dashboard':
        page = <DashboardPage tenant={route.tenant} />;
        break;
      case 'findings':
        page = <FindingsPage tenant={route.tenant} />;
        break;
      case 'finding':
        page = <FindingDetailPage tenant={route.tenant} findingId={route.findingId} role={me.role} />;
        break;
      case 'restore-tests':
        page = <RestoreTestsPage tenant={route.tenant} />;
        break;
      case 'restore-test':
        page = <EvidencePage tenant={route.tenant} testId={route.testId} />;
        break;
      case 'audit':
        page = <AuditPage tenant={route.tenant} role={me.role} />;
        break;
      case 'dossiers':
        page = <DossiersPage tenant={route.tenant} role={me.role} />;
        break;
      default:
        page = (
          <>
            <h1 tabIndex={-1}>Page not found</h1>
            <p>
              Nothing lives at this address. <a href="/">Go to your start page</a>.
            </p>
          </>
        );
    }
  }
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="top-inner">
          <a class="brand" href="/">
            Reversa
          </a>
          {tenant !== undefined && known ? <TenantSwitcher tenants={tenants} current={tenant} route={route} /> : null}
          <div class="who">
            <span class="who-email">{me.email}</span>
            <span class="muted small" id="who-role">
              {ROLE_NAMES[me.role]}
              {me.accessUntil ? `, access until ${new Date(me.accessUntil).toLocaleDateString()}` : ''}
            </span>
          </div>
          <button type="button" class="logout" onClick={onLogout}>
            Log out
          </button>
        </div>
        {tenant !== undefined && known ? (
          <nav aria-label="Sections" class="sections">
            <ul>
              {SECTIONS.map((s) => (
                <li key={s.page}>
                  <a href={tenantHref(tenant, s.page)} {...(s.page === section ? { 'aria-current': 'page' } : {})}>
                    {s.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {page}
      </main>
      <footer class="foot">
        <p class="muted small">
          Reversa portal · API: <a href="/v1/openapi.json">OpenAPI document</a>
        </p>
      </footer>
    </>
  );
}

function SignedIn({ route, onLogout }: { route: Route; onLogout: () => void }) {
  const me = useApi<Me>('/v1/me');
  const tenants = useApi<Tenants>('/v1/tenants');
  const first = tenants.data?.tenants[0];
  useEffect(() => {
    if (route.page === 'home' && me.data && first) navigate(homeOf(me.data.role, first.id), { replace: true });
  }, [route.page, me.data, first]);
  const error = me.error ?? tenants.error;
  if (error) {
    return (
      <main id="main" class="login">
        <div class="login-box">
          <h1>Reversa portal</h1>
          <ProblemNotice error={error} what="your account" />
          <button type="button" onClick={onLogout}>
            Log out
          </button>
        </div>
      </main>
    );
  }
  if (!me.data || !tenants.data) {
    return (
      <main id="main" class="login">
        <Loading what="your account" />
      </main>
    );
  }
  if (tenants.data.tenants.length === 0) {
    return (
      <main id="main" class="login">
        <div class="login-box">
          <h1>No tenant yet</h1>
          <p>Your account ({me.data.email}) has no tenant to show. Ask the provider to give you one.</p>
          <button type="button" onClick={onLogout}>
            Log out
          </button>
        </div>
      </main>
    );
  }
  if (route.page === 'home') {
    // On its way to the role's start page (the effect above navigates there).
    return (
      <main id="main" class="login">
        <Loading what="your start page" />
      </main>
    );
  }
  return <Shell me={me.data} tenants={tenants.data.tenants} route={route} onLogout={onLogout} />;
}

/** Where a login returns to: the `next` path of /login, or the start page. Never an absolute URL. */
function nextPath(): string {
  const next = new URLSearchParams(window.location.search).get('next');
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/';
}

/** `/auth/callback` in AWS: checks the state, redeems the code, and the session begins (or the login page says why not). */
function Callback({
  mode,
  onLoggedIn,
  onFailed,
}: {
  mode: Extract<LoginMode, { kind: 'hosted' }>;
  onLoggedIn: (login: LoginResponse, next: string) => void;
  onFailed: (message: string) => void;
}) {
  useEffect(() => {
    completeHostedLogin(mode.config, new URLSearchParams(window.location.search), Date.now()).then(
      ({ login, next }) => onLoggedIn(login, next),
      (error: unknown) => onFailed(error instanceof Error ? error.message : String(error)),
    );
  }, []);
  return (
    <main id="main" class="login">
      <Loading what="your session" />
    </main>
  );
}

export function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const [notice, setNotice] = useState<string>();
  const [loginError, setLoginError] = useState<string>();
  // `/config.json` decides: the Cognito hosted UI in AWS, the local login form under `reversa serve` (404).
  const [mode, setMode] = useState<LoginMode | { kind: 'loading' } | { kind: 'failed'; message: string }>({
    kind: 'loading',
  });
  useEffect(() => {
    loadLoginMode().then(setMode, (error: unknown) =>
      setMode({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
  }, []);
  const location = useLocation();
  const route = useMemo(() => parseRoute(location.path), [location.path]);
  const sessionRef = useRef(session);
  sessionRef.current = session;

  const end = (reason?: SessionEndReason) => {
    clearSession();
    setSession(undefined);
    setNotice(reason?.message);
    const here = window.location.pathname + window.location.search;
    navigate(reason && here !== '/login' ? `/login?next=${encodeURIComponent(here)}` : '/login', { replace: true });
  };
  configureApi({ token: () => sessionRef.current?.token, onSessionEnd: (reason) => sessionRef.current && end(reason) });

  const begin = (login: LoginResponse, next: string) => {
    const s = sessionFromLogin(login, Date.now());
    saveSession(s);
    setNotice(undefined);
    setLoginError(undefined);
    setSession(s);
    navigate(next, { replace: true });
  };

  // The browser-side deadline (the token's own lifetime from its arrival): back to login when it passes.
  useEffect(() => {
    if (!session) return undefined;
    const left = session.deadline - Date.now();
    const timer = setTimeout(
      () => end({ kind: 'expired', message: 'Your session has expired: please log in again.' }),
      Math.max(0, Math.min(left, 2 ** 31 - 1)),
    );
    return () => clearTimeout(timer);
  }, [session]);

  useEffect(() => {
    if (!session && route.page !== 'login' && route.page !== 'callback') {
      navigate(
        route.page === 'home' ? '/login' : `/login?next=${encodeURIComponent(location.path + location.search)}`,
        { replace: true },
      );
    }
    if (session && (route.page === 'login' || route.page === 'callback')) navigate('/', { replace: true });
  }, [session, route.page]);

  if (!session || route.page === 'login' || route.page === 'callback') {
    if (mode.kind === 'loading') {
      return (
        <main id="main" class="login">
          <Loading what="the login" />
        </main>
      );
    }
    if (mode.kind === 'failed') {
      return (
        <main id="main" class="login">
          <div class="login-box">
            <h1>Reversa portal</h1>
            <p class="notice notice-error" role="alert">
              The portal's login settings could not be read ({mode.message}). Try again in a moment.
            </p>
          </div>
        </main>
      );
    }
    if (mode.kind === 'hosted') {
      if (route.page === 'callback' && !session) {
        return (
          <Callback
            mode={mode}
            onLoggedIn={begin}
            onFailed={(message) => {
              setLoginError(message);
              navigate('/login', { replace: true });
            }}
          />
        );
      }
      return (
        <HostedLoginPage
          {...(notice ? { notice } : {})}
          {...(loginError ? { error: loginError } : {})}
          onStart={() => void startHostedLogin(mode.config, nextPath())}
        />
      );
    }
    return (
      <LoginPage {...(notice ? { notice } : {})} onLoggedIn={(login: LoginResponse) => begin(login, nextPath())} />
    );
  }
  return (
    <SignedIn
      route={route}
      onLogout={() => {
        end();
        setNotice('You are logged out.');
        // In AWS the Cognito session ends too, or the hosted UI would log the user straight back in.
        if (mode.kind === 'hosted') hostedLogout(mode.config);
      }}
    />
  );
}
