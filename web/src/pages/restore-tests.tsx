/** The restore-test log, filtered by resource, outcome and time, and each test's full evidence record. */
import { useState } from 'preact/hooks';
import { tenantPath } from '../api/client.ts';
import type { RestoreTestEvidence, RestoreTestSummary } from '../api/types.gen.ts';
import { Facts, Hash, Section, TableRegion } from '../components/layout.tsx';
import { Badge, Loading, ProblemNotice } from '../components/notice.tsx';
import { formatDateTime, formatDuration } from '../format.ts';
import { type Filters, NO_FILTERS, restoreTestQuery } from '../restore-test-filters.ts';
import { tenantHref } from '../router.ts';
import { useApi, usePagedApi } from '../use-api.ts';

export function RestoreTestsPage({ tenant }: { tenant: string }) {
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [applied, setApplied] = useState<Filters>(NO_FILTERS);
  const query = restoreTestQuery(applied);
  const { first, items, cursor, more, loadMore } = usePagedApi<RestoreTestSummary>(
    `${tenantPath(tenant, 'restore-tests')}?${query}`,
  );
  const field = (name: keyof Filters) => (e: Event) =>
    setDraft((d) => ({ ...d, [name]: (e.currentTarget as HTMLInputElement | HTMLSelectElement).value }));

  return (
    <>
      <h1 tabIndex={-1}>Restore-test log</h1>
      <p class="lead">
        Every scheduled restore test: it restored the data into a sandbox, read it back, checked it against what was
        captured at backup time, measured the RTO and cleaned up. Each one is an entry in the audit log.
      </p>
      <form
        class="filters"
        aria-label="Filter the restore tests"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(draft);
        }}
      >
        <div>
          <label for="f-resource">Resource</label>
          <input
            id="f-resource"
            type="text"
            value={draft.resource}
            onInput={field('resource')}
            placeholder="e.g. nas://filer-01/projects"
          />
        </div>
        <div>
          <label for="f-outcome">Outcome</label>
          <select id="f-outcome" value={draft.outcome} onChange={field('outcome')}>
            <option value="">any</option>
            <option value="PASSED">passed</option>
            <option value="FAILED">failed</option>
            <option value="ERROR">error</option>
          </select>
        </div>
        <div>
          <label for="f-from">From (UTC day)</label>
          <input id="f-from" type="date" value={draft.from} onInput={field('from')} />
        </div>
        <div>
          <label for="f-to">To (UTC day)</label>
          <input id="f-to" type="date" value={draft.to} onInput={field('to')} />
        </div>
        <div class="filter-actions">
          <button type="submit" class="primary">
            Apply filters
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft(NO_FILTERS);
              setApplied(NO_FILTERS);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {first.error ? <ProblemNotice error={first.error} what="the restore tests" /> : null}
      {first.loading && items.length === 0 ? <Loading what="restore tests" /> : null}
      <p class="muted" role="status">
        {first.data ? `${items.length}${cursor ? '+' : ''} test(s) shown` : ''}
      </p>
      {items.length > 0 ? (
        <TableRegion label="Restore tests">
          <table class="responsive">
            <caption class="sr-only">Restore tests, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Outcome</th>
                <th scope="col">Resource</th>
                <th scope="col">RTO (target)</th>
                <th scope="col">Reason</th>
                <th scope="col">Evidence</th>
              </tr>
            </thead>
            <tbody>
              {items.map((t) => (
                <tr key={t.testId}>
                  <td data-label="Started">{formatDateTime(t.startedAt)}</td>
                  <td data-label="Outcome">
                    <Badge value={t.outcome} />
                  </td>
                  <td data-label="Resource" class="resource">
                    {t.resourceId}
                    <span class="muted small block">
                      {t.runner}, {t.policyName}
                    </span>
                  </td>
                  <td data-label="RTO (target)">
                    {formatDuration(t.rtoMs)} <span class="muted">({formatDuration(t.rtoTargetMs)})</span>
                    {t.rtoMet ? null : <Badge value="over target" />}
                  </td>
                  <td data-label="Reason">{t.reason}</td>
                  <td data-label="Evidence">
                    <a href={tenantHref(tenant, 'restore-tests', t.testId)} aria-label={`Evidence of ${t.testId}`}>
                      {t.testId}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      ) : first.data ? (
        <p>No restore test matches these filters.</p>
      ) : null}
      {more.error ? <ProblemNotice error={more.error} what="more restore tests" /> : null}
      {cursor ? (
        <button type="button" onClick={loadMore} disabled={more.busy}>
          {more.busy ? 'Loading…' : 'Load more tests'}
        </button>
      ) : null}
    </>
  );
}

/** What the evidence record may hold (docs/restore-tests.md); read defensively: the API types it as open. */
interface NameList {
  count: number;
  names: string[];
  truncated: boolean;
}
interface EvidenceCheck {
  name: string;
  status?: string;
  result?: string;
  message?: string;
  counts?: { expected?: number; compared?: number; bytes?: number; matched?: number };
  missing?: NameList;
  extra?: NameList;
  changed?: NameList;
  unreadable?: NameList;
}
interface Evidence {
  resourceId?: string;
  policyName?: string;
  runner?: string;
  reason?: string;
  scheduledAt?: number;
  strategyVersion?: { version: number; contentSha256: string };
  recoveryPoint?: { id: string; createdAt: number; achievedRpoMs: number };
  sample?: { mode: string; value?: number; selected: number; of: number };
  sandbox?: string;
  rto?: { achievedMs?: number; targetMs: number; targetText: string; met: boolean };
  checks?: EvidenceCheck[];
  cleanup?: {
    target: string;
    removed: number;
    remaining: number;
    result: string;
    message?: string;
    startedAt?: number;
    endedAt?: number;
  };
}

function Names({ label, list }: { label: string; list: NameList | undefined }) {
  if (!list || list.count === 0) return null;
  return (
    <p class="names">
      <strong>
        {list.count} {label}:
      </strong>{' '}
      {list.names.join(', ')}
      {list.truncated ? ' …' : ''}
    </p>
  );
}

export function EvidencePage({ tenant, testId }: { tenant: string; testId: string }) {
  const evidence = useApi<RestoreTestEvidence>(tenantPath(tenant, 'restore-tests', testId));
  const raw = evidence.data;
  const e = raw as (RestoreTestEvidence & Evidence) | undefined;
  return (
    <>
      <p class="breadcrumb">
        <a href={tenantHref(tenant, 'restore-tests')}>Restore-test log</a>
      </p>
      <h1 tabIndex={-1}>
        Evidence record {e ? <Badge value={e.outcome} /> : null}
        <span class="subtitle">{testId}</span>
      </h1>
      {evidence.error ? <ProblemNotice error={evidence.error} what="the evidence record" /> : null}
      {evidence.loading && !e ? <Loading what="the evidence record" /> : null}
      {e ? (
        <div class="grid grid-wide">
          <Section title="The test" id="test">
            {e.reason ? <p class="lead">{e.reason}</p> : null}
            <Facts
              items={[
                [
                  'Resource',
                  <span key="r" class="resource">
                    {e.resourceId ?? '—'}
                  </span>,
                ],
                ['Runner', e.runner ?? '—'],
                ['Policy', e.policyName ?? '—'],
                ['Scheduled', formatDateTime(e.scheduledAt)],
                ['Strategy', e.strategyVersion ? `v${e.strategyVersion.version}` : '—'],
                [
                  'Recovery point',
                  e.recoveryPoint ? `${e.recoveryPoint.id} (${formatDateTime(e.recoveryPoint.createdAt)})` : '—',
                ],
                ['Achieved RPO', formatDuration(e.recoveryPoint?.achievedRpoMs)],
                [
                  'RTO',
                  e.rto
                    ? `${formatDuration(e.rto.achievedMs)} of ${e.rto.targetText} ${e.rto.met ? '(met)' : '(NOT met)'}`
                    : '—',
                ],
                ['Sample', e.sample ? `${e.sample.selected} of ${e.sample.of} (${e.sample.mode})` : '—'],
                ['Sandbox', e.sandbox ?? '—'],
              ]}
            />
          </Section>
          <Section title="Checks" id="checks">
            {(e.checks ?? []).length === 0 ? <p class="muted">No checks recorded.</p> : null}
            <ul class="checks">
              {(e.checks ?? []).map((c) => (
                <li key={c.name}>
                  <p>
                    <Badge value={c.status ?? c.result ?? 'unknown'} /> <strong>{c.name}</strong> {c.message ?? ''}
                  </p>
                  {c.counts ? (
                    <p class="muted small">
                      {c.counts.compared ?? 0} compared
                      {c.counts.expected === undefined ? '' : ` of ${c.counts.expected} expected`}
                      {c.counts.matched === undefined ? '' : `, ${c.counts.matched} matched`}
                      {c.counts.bytes === undefined ? '' : `, ${c.counts.bytes} bytes read back`}
                    </p>
                  ) : null}
                  <Names label="changed" list={c.changed} />
                  <Names label="missing" list={c.missing} />
                  <Names label="extra" list={c.extra} />
                  <Names label="unreadable" list={c.unreadable} />
                </li>
              ))}
            </ul>
          </Section>
          {e.cleanup ? (
            <Section title="Cleanup proof" id="cleanup">
              <Facts
                items={[
                  ['Result', <Badge key="c" value={e.cleanup.result} />],
                  ['Sandbox', e.cleanup.target],
                  ['Removed', e.cleanup.removed],
                  ['Remaining', e.cleanup.remaining],
                  ...(e.cleanup.message ? ([['Message', e.cleanup.message]] as Array<[string, string]>) : []),
                ]}
              />
            </Section>
          ) : null}
          <Section title="Full record" id="record">
            {e.strategyVersion ? (
              <p class="small">
                Strategy content SHA-256 <Hash value={e.strategyVersion.contentSha256} />
              </p>
            ) : null}
            <details>
              <summary>The evidence record as stored (JSON)</summary>
              {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the record scrolls: the keyboard must reach it */}
              <pre class="json" tabIndex={0}>
                {JSON.stringify(raw, null, 2)}
              </pre>
            </details>
          </Section>
        </div>
      ) : null}
    </>
  );
}
