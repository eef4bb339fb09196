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
