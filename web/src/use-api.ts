/** Loading one API resource for a page: data, error, a loading flag, and reload; stale answers are dropped. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiProblem, api } from './api/client.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiProblem | undefined;
  loading: boolean;
  reload(): void;
}

export function useApi<T>(path: string | undefined): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiProblem; loading: boolean }>({
    loading: path !== undefined,
  });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    if (path === undefined) return undefined;
    const id = ++latest.current;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    api<T>(path, { signal: controller.signal }).then(
      (data) => {
        if (id === latest.current) setState({ data, loading: false });
      },
      (error: unknown) => {
        if (id !== latest.current || (error as Error).name === 'AbortError') return;
        setState({
          error: error instanceof ApiProblem ? error : new ApiProblem(0, { detail: String(error) }),
          loading: false,
        });
      },
    );
    return () => controller.abort();
    // `tick` re-runs the request on reload().
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export interface PagedList<T> {
  /** The first page's request: its error, loading flag and data (undefined until it answered). */
  first: Loaded<{ items: T[]; nextCursor?: string | undefined }>;
  /** Every item loaded so far, the first page's and the ones "load more" added. */
  items: T[];
  /** The cursor of the next page; undefined once the list is complete. */
  cursor: string | undefined;
  more: { busy: boolean; error?: ApiProblem };
  loadMore(): Promise<void>;
}

/**
 * A cursor-paginated list (`?cursor=`, `nextCursor`): the first page through useApi, the next ones appended on
 * demand. A new `path` (filters changed) starts over from its first page.
 */
export function usePagedApi<T>(path: string): PagedList<T> {
  const first = useApi<{ items: T[]; nextCursor?: string }>(path);
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [more, setMore] = useState<{ busy: boolean; error?: ApiProblem }>({ busy: false });
  useEffect(() => {
    setItems(first.data?.items ?? []);
    setCursor(first.data?.nextCursor);
  }, [first.data]);

  async function loadMore(): Promise<void> {
    if (!cursor) return;
    setMore({ busy: true });
    try {
      const separator = path.includes('?') ? '&' : '?';
      const next = await api<{ items: T[]; nextCursor?: string }>(
        `${path}${separator}cursor=${encodeURIComponent(cursor)}`,
      );
      setItems((i) => [...i, ...next.items]);
      setCursor(next.nextCursor);
      setMore({ busy: false });
    } catch (e) {
      setMore({ busy: false, ...(e instanceof ApiProblem ? { error: e } : {}) });
    }
  }
  return { first, items, cursor, more, loadMore };
}
