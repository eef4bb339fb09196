/**
 * Findings — incidents opened by failed restore tests and serious verification findings: the list,
 * and one incident with its lifecycle and timeline. Clients (and providers) comment; provider roles
 * acknowledge, resolve, close (with root cause and corrective action) or reopen it.
 */
import { useState } from 'preact/hooks';
import { ApiProblem, api, tenantPath } from '../api/client.ts';
import type { Finding, FindingDetail, FindingPatch, TimelineEntry } from '../api/types.gen.ts';
import { Facts, Section, TableRegion } from '../components/layout.tsx';
import { Badge, Loading, Notice, ProblemNotice } from '../components/notice.tsx';
import { formatDateTime } from '../format.ts';
import { may, type Role } from '../roles.ts';
import { tenantHref } from '../router.ts';
import { useApi, usePagedApi } from '../use-api.ts';

type StatusFilter = 'open' | 'closed' | 'all';

export function FindingsPage({ tenant }: { tenant: string }) {
  const [filter, setFilter] = useState<StatusFilter>('open');
  const query = new URLSearchParams({ limit: '50', ...(filter === 'all' ? {} : { status: filter }) });
  const { first, items, cursor, more, loadMore } = usePagedApi<Finding>(`${tenantPath(tenant, 'findings')}?${query}`);
  return (
    <>
      <h1 tabIndex={-1}>Findings</h1>
      <p class="lead">
        Each failed restore test and each serious verification finding opens an incident; the provider acknowledges it,
        resolves it, and closes it with its root cause and corrective action.
      </p>
      <div class="toolbar">
        <label for="finding-status">Show</label>
        <select
          id="finding-status"
          value={filter}
          onChange={(e) => setFilter((e.currentTarget as HTMLSelectElement).value as StatusFilter)}
        >
          <option value="open">open findings</option>
          <option value="closed">closed findings</option>
          <option value="all">all findings</option>
        </select>
      </div>
      {first.error ? <ProblemNotice error={first.error} what="the findings" /> : null}
      {first.loading && items.length === 0 ? <Loading what="findings" /> : null}
      {first.data && items.length === 0 ? <p>No {filter === 'all' ? '' : filter} findings.</p> : null}
      {items.length > 0 ? (
        <TableRegion label="Findings">
          <table class="responsive">
            <caption class="sr-only">Findings, newest first</caption>
            <thead>
              <tr>
                <th scope="col">State</th>
                <th scope="col">Severity</th>
                <th scope="col">Finding</th>
                <th scope="col">Resource</th>
                <th scope="col">Opened</th>
              </tr>
            </thead>
            <tbody>
              {items.map((f) => (
                <tr key={f.findingId}>
                  <td data-label="State">
                    <Badge value={f.state} /> {f.recurring ? <Badge value="recurring" /> : null}
                  </td>
                  <td data-label="Severity">
                    <Badge value={f.severity} />
                  </td>
                  <td data-label="Finding">
                    <a href={tenantHref(tenant, 'findings', f.findingId)}>{f.summary}</a>
                  </td>
                  <td data-label="Resource" class="resource">
                    {f.resourceId}
                  </td>
                  <td data-label="Opened">{formatDateTime(f.openedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      ) : null}
      {more.error ? <ProblemNotice error={more.error} what="more findings" /> : null}
      {cursor ? (
        <button type="button" onClick={loadMore} disabled={more.busy}>
          {more.busy ? 'Loading…' : 'Load more findings'}
        </button>
      ) : null}
    </>
  );
}

function stamps(f: Finding): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (f.acknowledgedAt) out.push(['Acknowledged', formatDateTime(f.acknowledgedAt)]);
  if (f.resolvedAt) out.push(['Resolved', formatDateTime(f.resolvedAt)]);
  if (f.closedAt) out.push(['Closed', formatDateTime(f.closedAt)]);
  return out;
}

type IncidentState = Finding['state'];
/** The moves the API accepts from each state (core/incidents/lifecycle.ts): forward, or reopen. */
const NEXT: Record<IncidentState, Array<[IncidentState, string]>> = {
  OPEN: [
    ['ACKNOWLEDGED', 'Acknowledged (we are on it)'],
    ['RESOLVED', 'Resolved (it works again)'],
    ['CLOSED', 'Closed (root cause found, corrective action done)'],
  ],
  ACKNOWLEDGED: [
    ['RESOLVED', 'Resolved (it works again)'],
    ['CLOSED', 'Closed (root cause found, corrective action done)'],
  ],
  RESOLVED: [
    ['CLOSED', 'Closed (root cause found, corrective action done)'],
    ['OPEN', 'Reopened (it is back)'],
  ],
  CLOSED: [['OPEN', 'Reopened (it is back)']],
};

function Timeline({ entries }: { entries: TimelineEntry[] }) {
  if (entries.length === 0) return <p class="muted">No comments or changes yet.</p>;
  return (
    <ol class="timeline">
      {entries.map((t, i) => (
        <li key={`${t.at}:${i}`} class={`timeline-${t.kind}`}>
          <p class="timeline-head">
            <strong>{t.by}</strong> {t.kind === 'comment' ? 'commented' : 'changed the finding'} —{' '}
            <time dateTime={t.at}>{formatDateTime(t.at)}</time>
          </p>
          <p class="timeline-text">{t.text}</p>
        </li>
      ))}
    </ol>
  );
}

function CommentForm({ tenant, findingId, onDone }: { tenant: string; findingId: string; onDone: () => void }) {
  const [text, setText] = useState('');
  const [state, setState] = useState<{ busy: boolean; error?: ApiProblem; sent?: boolean }>({ busy: false });
  async function submit(event: Event) {
    event.preventDefault();
    setState({ busy: true });
    try {
      await api(tenantPath(tenant, 'findings', findingId, 'comments'), { method: 'POST', body: { text } });
      setText('');
      setState({ busy: false, sent: true });
      onDone();
    } catch (e) {
      setState({ busy: false, ...(e instanceof ApiProblem ? { error: e } : {}) });
    }
  }
  return (
    <form onSubmit={submit} class="stack">
      <label for="comment">Your comment</label>
      <textarea
        id="comment"
        rows={3}
        maxLength={4000}
        required
        value={text}
        onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
      />
      {state.error ? <ProblemNotice error={state.error} what="your comment" /> : null}
      {state.sent ? <Notice kind="ok">Comment added.</Notice> : null}
      <div>
        <button type="submit" class="primary" disabled={state.busy || text.trim() === ''}>
          {state.busy ? 'Sending…' : 'Add comment'}
        </button>
      </div>
    </form>
  );
}

function EditForm({ tenant, finding, onDone }: { tenant: string; finding: FindingDetail; onDone: () => void }) {
  const [rootCause, setRootCause] = useState(finding.rootCause ?? '');
  const [action, setAction] = useState(finding.correctiveAction ?? '');
  const [move, setMove] = useState<IncidentState | ''>('');
  const [state, setState] = useState<{ busy: boolean; error?: ApiProblem; saved?: boolean }>({ busy: false });
  const patch: FindingPatch = {
    ...(rootCause.trim() !== '' && rootCause !== (finding.rootCause ?? '') ? { rootCause } : {}),
    ...(action.trim() !== '' && action !== (finding.correctiveAction ?? '') ? { correctiveAction: action } : {}),
    ...(move === '' ? {} : { state: move }),
  };
  async function submit(event: Event) {
    event.preventDefault();
    setState({ busy: true });
    try {
      await api(tenantPath(tenant, 'findings', finding.findingId), { method: 'PATCH', body: patch });
      setState({ busy: false, saved: true });
      onDone();
    } catch (e) {
      setState({ busy: false, ...(e instanceof ApiProblem ? { error: e } : {}) });
    }
  }
  return (
    <form onSubmit={submit} class="stack">
      <label for="root-cause">Root cause</label>
      <textarea
        id="root-cause"
        rows={3}
        maxLength={4000}
        value={rootCause}
        onInput={(e) => setRootCause((e.currentTarget as HTMLTextAreaElement).value)}
      />
      <label for="corrective-action">Corrective action</label>
      <textarea
        id="corrective-action"
        rows={3}
        maxLength={4000}
        value={action}
        onInput={(e) => setAction((e.currentTarget as HTMLTextAreaElement).value)}
      />
      <label for="move">Move it to</label>
      <select
        id="move"
        value={move}
        onChange={(e) => setMove((e.currentTarget as HTMLSelectElement).value as IncidentState | '')}
      >
        <option value="">(stays {finding.state.toLowerCase()})</option>
        {NEXT[finding.state].map(([to, label]) => (
          <option key={to} value={to}>
            {label}
          </option>
        ))}
      </select>
      {state.error ? <ProblemNotice error={state.error} what="the change" /> : null}
      {state.saved ? <Notice kind="ok">Finding saved.</Notice> : null}
      <div>
        <button type="submit" class="primary" disabled={state.busy || Object.keys(patch).length === 0}>
          {state.busy ? 'Saving…' : 'Save finding'}
        </button>
      </div>
    </form>
  );
}

export function FindingDetailPage({ tenant, findingId, role }: { tenant: string; findingId: string; role: Role }) {
  const detail = useApi<FindingDetail>(tenantPath(tenant, 'findings', findingId));
  const f = detail.data;
  return (
    <>
      <p class="breadcrumb">
        <a href={tenantHref(tenant, 'findings')}>Findings</a>
      </p>
      <h1 tabIndex={-1}>Finding {f ? <Badge value={f.state} /> : null}</h1>
      {detail.error ? <ProblemNotice error={detail.error} what="the finding" /> : null}
      {detail.loading && !f ? <Loading what="the finding" /> : null}
      {f ? (
        <div class="grid grid-wide">
          <Section title="What happened" id="what">
            <p class="lead">{f.summary}</p>
            <Facts
              items={[
                [
                  'Resource',
                  <span key="r" class="resource">
                    {f.resourceId}
                  </span>,
                ],
                ...(f.testId
                  ? ([
                      [
                        'Restore test',
                        <a key="t" href={tenantHref(tenant, 'restore-tests', f.testId)}>
                          {f.testId}
                        </a>,
                      ],
                      ['Outcome', <Badge key="o" value={f.outcome ?? 'ERROR'} />],
                    ] as Array<[string, preact.ComponentChild]>)
                  : ([['Verification rule', f.ruleId ?? '']] as Array<[string, string]>)),
                ['Severity', <Badge key="s" value={f.severity} />],
                ['Opened', formatDateTime(f.openedAt)],
                ...stamps(f),
                ...(f.recurring
                  ? ([['Recurring', 'yes: it came back within the recurrence window (root cause not fixed)']] as Array<
                      [string, string]
                    >)
                  : []),
                [
                  'Root cause',
                  <span key="rc" id="root-cause-value">
                    {f.rootCause ?? 'not recorded yet'}
                  </span>,
                ],
                [
                  'Corrective action',
                  <span key="ca" id="corrective-action-value">
                    {f.correctiveAction ?? 'not recorded yet'}
                  </span>,
                ],
                ...(f.updatedBy
                  ? ([['Last change', `${f.updatedBy}, ${formatDateTime(f.updatedAt)}`]] as Array<[string, string]>)
                  : []),
              ]}
            />
          </Section>
          {may(role, 'finding:update') ? (
            <Section title="Root cause and corrective action" id="edit">
              <EditForm key={f.findingId} tenant={tenant} finding={f} onDone={detail.reload} />
            </Section>
          ) : null}
          <Section title="Timeline" id="timeline">
            <Timeline entries={f.timeline} />
            {may(role, 'finding:comment') ? (
              <CommentForm tenant={tenant} findingId={f.findingId} onDone={detail.reload} />
            ) : null}
          </Section>
        </div>
      ) : null}
    </>
  );
}
