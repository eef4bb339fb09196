/**
 * Client-side routes on the History API (the server answers index.html for every non-API path).
 * Same-origin links are plain <a href> elements: a click without a modifier key is handled here,
 * so links keep working with the keyboard, in new tabs and for screen readers.
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'login' }
  /** Where the Cognito hosted UI returns with the authorization code (AWS only). */
  | { page: 'callback' }
  | { page: 'home' }
  | { page: 'dashboard'; tenant: string }
  | { page: 'findings'; tenant: string }
  | { page: 'finding'; tenant: string; findingId: string }
  | { page: 'restore-tests'; tenant: string }
  | { page: 'restore-test'; tenant: string; testId: string }
  | { page: 'audit'; tenant: string }
  | { page: 'dossiers'; tenant: string }
  | { page: 'not-found'; path: string };

export type TenantPage = 'dashboard' | 'findings' | 'restore-tests' | 'audit' | 'dossiers';

export function parseRoute(pathname: string): Route {
  if (pathname === '/login') return { page: 'login' };
  if (pathname === '/auth/callback') return { page: 'callback' };
  if (pathname === '/' || pathname === '') return { page: 'home' };
  const parts = pathname.split('/').filter((p) => p !== '');
  const decoded: string[] = [];
  for (const p of parts) {
    try {
      decoded.push(decodeURIComponent(p));
    } catch {
      return { page: 'not-found', path: pathname };
    }
  }
  const [t, tenant, section, id, ...more] = decoded;
  if (t !== 't' || tenant === undefined || more.length > 0) return { page: 'not-found', path: pathname };
  if (section === undefined)
    return id === undefined ? { page: 'dashboard', tenant } : { page: 'not-found', path: pathname };
  if (section === 'findings')
    return id === undefined ? { page: 'findings', tenant } : { page: 'finding', tenant, findingId: id };
  if (section === 'restore-tests') {
    return id === undefined ? { page: 'restore-tests', tenant } : { page: 'restore-test', tenant, testId: id };
  }
  if ((section === 'audit' || section === 'dossiers') && id === undefined) return { page: section, tenant };
  return { page: 'not-found', path: pathname };
}

/** The path of a tenant's page (`href` for links). */
export function tenantHref(tenant: string, page: TenantPage, id?: string): string {
  const base = `/t/${encodeURIComponent(tenant)}`;
  const section = page === 'dashboard' ? '' : `/${page}`;
  return `${base}${section}${id === undefined ? '' : `/${encodeURIComponent(id)}`}`;
}

const listeners = new Set<() => void>();

export function navigate(href: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  for (const l of listeners) l();
}

function location(): { path: string; search: string } {
  return { path: window.location.pathname, search: window.location.search };
}

/** The current location; re-renders on navigation (links, back/forward). */
export function useLocation(): { path: string; search: string } {
  const [current, setCurrent] = useState(location);
  useEffect(() => {
    const update = () => setCurrent(location());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return current;
}

/** Handles clicks on same-origin links inside the app (installed once, on the document). */
export function interceptLinks(root: Document = document): void {
  root.addEventListener('click', (event) => {
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    ) {
      return;
    }
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
    const url = new URL(anchor.href, window.location.href);
    if (url.origin !== window.location.origin || url.pathname.startsWith('/v1/')) return;
    event.preventDefault();
    if (url.pathname + url.search !== window.location.pathname + window.location.search)
      navigate(url.pathname + url.search);
  });
}
