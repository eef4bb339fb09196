/** What the page says when something failed, is loading, or needs attention. */
import type { ComponentChildren } from 'preact';
import type { ApiProblem } from '../api/client.ts';

export function ProblemNotice({ error, what }: { error: ApiProblem; what: string }) {
  return (
    <div class="notice notice-error" role="alert">
      <p>
        <strong>Could not load {what}.</strong> {error.message}
        {error.status > 0 ? ` (HTTP ${error.status}${error.code ? `, ${error.code}` : ''})` : ''}
      </p>
      {error.problems.length > 0 ? (
        <ul>
          {error.problems.map((p) => (
            <li key={`${p.path}:${p.message}`}>
              {p.path || p.file}: {p.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}

export function Notice({ kind, children }: { kind: 'info' | 'ok' | 'warn' | 'error'; children: ComponentChildren }) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

const TONES: Record<string, 'ok' | 'bad' | 'warn' | 'neutral'> = {
  PASSED: 'ok',
  MET: 'ok',
  met: 'ok',
  missed: 'bad',
  ready: 'ok',
  CLOSED: 'ok',
  CLEANED: 'ok',
  NOTHING_TO_CLEAN: 'ok',
  FAILED: 'bad',
  NOT_MET: 'bad',
  OPEN: 'bad',
  ACKNOWLEDGED: 'warn',
  RESOLVED: 'ok',
  recurring: 'bad',
  ERROR: 'warn',
  PARTIALLY_MET: 'warn',
  stale: 'warn',
  'never-exported': 'warn',
  critical: 'bad',
  high: 'bad',
  medium: 'warn',
  low: 'neutral',
};

/** A status word with its colour; the word itself carries the meaning (never colour alone). */
export function Badge({ value }: { value: string }) {
  return <span class={`badge badge-${TONES[value] ?? 'neutral'}`}>{value.replace(/_/g, ' ')}</span>;
}
