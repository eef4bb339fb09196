/**
 * The auditor's view: choose a period, read the control mapping and the restore-test summary of
 * that period, verify the audit log live (hash chain and signed digests, with the chain head and
 * the sealed head), and download the period report (HTML, PDF), the period's SLA statement (HTML, for a
 * month or a quarter as the contract measures; reading it is audit-logged) and the audit-log export (zip).
 */
import { useState } from 'preact/hooks';
import type { AuditorReportView } from '../api/auditor-report.ts';
import { ApiProblem, api, tenantPath } from '../api/client.ts';
import type { AuditEntries, AuditExportLink, AuditVerification } from '../api/types.gen.ts';
import { Facts, Hash, Section, TableRegion } from '../components/layout.tsx';
import { Badge, Loading, Notice, ProblemNotice } from '../components/notice.tsx';
import { downloadFromApi } from '../download.ts';
import { formatBytes, formatDateTime, formatDuration, formatPercent } from '../format.ts';
import { currentQuarter, periodOptions } from '../periods.ts';
import { may, type Role } from '../roles.ts';
import { tenantHref } from '../router.ts';
import { useApi } from '../use-api.ts';

function VerificationSection({ tenant }: { tenant: string }) {
  const [state, setState] = useState<{ busy: boolean; result?: AuditVerification; error?: ApiProblem }>({
    busy: false,
  });
  async function verify() {
    setState((s) => ({ ...s, busy: true }));
    try {
      setState({ busy: false, result: await api<AuditVerification>(tenantPath(tenant, 'audit', 'verification')) });
    } catch (e) {
      setState({ busy: false, ...(e instanceof ApiProblem ? { error: e } : {}) });
    }
  }
  const r = state.result;
  return (
    <Section
      title="Audit-log verification"
      id="verification"
      actions={
        <button type="button" class="primary" onClick={verify} disabled={state.busy}>
          {state.busy ? 'Verifying…' : r ? 'Verify again' : 'Verify the audit log now'}
        </button>
      }
    >
      <p class="muted">
        Recomputes every entry's SHA-256 chain and checks each signed digest with the public key, on the live log, now.
        Compare the chain head with the one in the report you hold: a shorter or rewritten log cannot have the same
        head.
      </p>
      <div aria-live="polite">
        {state.error ? <ProblemNotice error={state.error} what="the verification" /> : null}
        {r ? (
          <div id="verification-result">
            <Notice kind={r.ok ? 'ok' : 'error'}>
              <strong>{r.ok ? 'Verified OK' : 'Verification FAILED'}</strong>: {r.entries} entries, {r.digests} signed
              digest(s)
              {r.unsealed > 0
                ? `, ${r.unsealed} entry(ies) after the last digest (chained, sealed at the next seal)`
                : ''}
              .{r.firstBad ? ` First bad entry: #${r.firstBad.seq}: ${r.firstBad.reason}` : ''}
            </Notice>
            <Facts
              items={[
                [
                  'Chain head',
                  <span key="h">
                    #{r.headSeq} <Hash value={r.headHash} label="chain head hash" />
                  </span>,
                ],
                [
                  'Sealed head',
                  r.sealedHead ? (
                    <span key="s">
                      #{r.sealedHead.seq} <Hash value={r.sealedHead.entryHash} /> in digest #{r.sealedHead.digestSeq}{' '}
                      (SHA-256 <Hash value={r.sealedHead.digestSha256} />)
                    </span>
                  ) : (
                    'no signed digest yet'
                  ),
                ],
                ['Public key fingerprint', <Hash key="k" value={r.publicKeyFingerprint} />],
                ['Verified at', formatDateTime(r.verifiedAt)],
              ]}
            />
            {r.problems.length > 0 ? (
              <ul>
                {r.problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
      </div>
    </Section>
  );
}

interface DownloadState {
  busy?: string | undefined;
  done?: string | undefined;
  error?: ApiProblem | undefined;
  exportLink?: AuditExportLink | undefined;
}

function DownloadsSection({ tenant, period, role }: { tenant: string; period: string; role: Role }) {
  const [state, setState] = useState<DownloadState>({});
  const report = `${tenantPath(tenant, 'auditor-report')}?period=${encodeURIComponent(period)}`;
  async function run(what: string, action: () => Promise<DownloadState>) {
    setState((s) => ({ ...s, busy: what }));
    try {
      const result = await action();
      setState((s) => ({ ...s, ...result, busy: undefined, error: undefined }));
    } catch (e) {
      setState((s) => ({ ...s, busy: undefined, error: e instanceof ApiProblem ? e : undefined }));
    }
  }
  const file = `reversa-auditor-report-${tenant}-${period}`;
  return (
    <Section title="Downloads" id="downloads">
      <div class="button-row">
        <button
          type="button"
          disabled={state.busy !== undefined}
          onClick={() =>
            run('html', async () => {
              const { bytes } = await downloadFromApi(`${report}&format=html`, `${file}.html`);
              return { done: `${file}.html saved (${formatBytes(bytes)}).` };
            })
          }
        >
          {state.busy === 'html' ? 'Preparing…' : 'Download the report (HTML)'}
        </button>
        <button
          type="button"
          disabled={state.busy !== undefined}
          onClick={() =>
            run('pdf', async () => {
              const { bytes } = await downloadFromApi(`${report}&format=pdf`, `${file}.pdf`);
              return { done: `${file}.pdf saved (${formatBytes(bytes)}).` };
            })
          }
        >
          {state.busy === 'pdf' ? 'Preparing…' : 'Download the report (PDF)'}
        </button>
        {/^\d{4}-(Q[1-4]|\d{2})$/.test(period) ? (
          <button
            type="button"
            id="sla-statement-download"
            disabled={state.busy !== undefined}
            onClick={() =>
              run('sla', async () => {
                const name = `reversa-sla-${tenant}-${period}.html`;
                const path = `${tenantPath(tenant, 'sla', 'statements', period)}?format=html`;
                const { bytes } = await downloadFromApi(path, name);
                return { done: `${name} saved (${formatBytes(bytes)}).` };
              })
            }
          >
            {state.busy === 'sla' ? 'Preparing…' : 'Download the SLA statement (HTML)'}
          </button>
        ) : null}
        {may(role, 'audit:export') ? (
          <button
            type="button"
            disabled={state.busy !== undefined}
            onClick={() =>
              run('export', async () => ({
                exportLink: await api<AuditExportLink>(`${tenantPath(tenant, 'audit', 'export')}?redirect=false`),
                done: undefined,
              }))
            }
          >
            {state.busy === 'export' ? 'Sealing and exporting…' : 'Export the audit log (zip)'}
          </button>
        ) : null}
      </div>
      <div aria-live="polite">
        {state.error ? <ProblemNotice error={state.error} what="the download" /> : null}
        {state.done ? <Notice kind="ok">{state.done}</Notice> : null}
        {state.exportLink ? (
          <Notice kind="ok">
            The log was sealed and exported ({state.exportLink.entries} entries).{' '}
            <a href={state.exportLink.url} id="audit-export-link">
              Download the audit export (zip)
            </a>{' '}
            — the link works until {formatDateTime(state.exportLink.expiresAt)}. Check it offline with{' '}
            <code>reversa audit verify &lt;dir&gt; --public-key public-key.pem</code> or openssl (its README says how).
          </Notice>
        ) : null}
      </div>
    </Section>
  );
}

function ReportSection({ tenant, period }: { tenant: string; period: string }) {
  const report = useApi<AuditorReportView>(
    `${tenantPath(tenant, 'auditor-report')}?period=${encodeURIComponent(period)}&format=json`,
  );
  const r = report.data;
  if (report.error) return <ProblemNotice error={report.error} what="the period's report" />;
  if (!r) return <Loading what="the period's report" />;
  const s = r.summary;
  return (
    <>
      <Section title={`Restore tests in ${r.period.title}`} id="period-summary">
        <Facts
          items={[
            ['Tests run', s.testsRun],
            ['Passed / failed / error', `${s.passed} / ${s.failed} / ${s.error}`],
            ['Pass rate', formatPercent(s.passRatePercent)],
            ['Median RTO', formatDuration(s.rto.medianMs)],
            ['RTO within target', `${s.rto.withinTarget} of ${s.rto.measured}`],
            ['Median achieved RPO', formatDuration(s.rpo.medianMs)],
            [
              'Coverage',
              `${formatPercent(s.coveragePercent)} (${s.resourcesCovered} of ${s.resourcesDeclared} resources tested)`,
            ],
            ['Findings open / closed', `${s.findingsOpen} / ${s.findingsClosed}`],
            ['Tests without an audit entry', s.testsWithoutAuditEntry],
            ['Period', `${formatDateTime(r.period.from)} – ${formatDateTime(r.period.to)} (${r.period.timeZone})`],
          ]}
        />
        <p>
          <a href={tenantHref(tenant, 'restore-tests')}>Open the restore-test log</a>
        </p>
      </Section>
      <Section title="Control mapping" id="controls">
        <TableRegion label="Control mapping">
          <table class="responsive">
            <caption class="sr-only">How the period's evidence answers each control</caption>
            <thead>
              <tr>
                <th scope="col">Control</th>
                <th scope="col">Requirement</th>
                <th scope="col">Status</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {r.controls.map((c) => (
                <tr key={c.id}>
                  <th scope="row">
                    {c.framework} {c.reference}
                    <span class="muted small block">{c.name}</span>
                  </th>
                  <td data-label="Requirement">{c.requirement}</td>
                  <td data-label="Status">
                    <Badge value={c.status} />
                  </td>
                  <td data-label="Why">
                    <ul class="plain spaced">
                      {c.reasons.map((reason) => (
                        <li key={reason}>{reason}</li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      </Section>
      {r.failures.length > 0 ? (
        <Section title="Failures and their findings" id="failures">
          <ul class="plain">
            {r.failures.map((f) => (
              <li key={f.testId} class="failure">
                <p>
                  <Badge value={f.outcome} /> <strong>{f.resourceName}</strong> — {f.reason}{' '}
                  <a href={tenantHref(tenant, 'restore-tests', f.testId)}>evidence</a>
                  {f.carriedOver ? ' (carried over from an earlier period)' : ''}
                </p>
                {f.finding ? (
                  <p class="small">
                    Finding{' '}
                    <a href={tenantHref(tenant, 'findings', f.finding.findingId)}>{f.finding.status.toLowerCase()}</a> ·
                    root cause: {f.finding.rootCause ?? 'not recorded'} · corrective action:{' '}
                    {f.finding.correctiveAction ?? 'not recorded'}
                  </p>
                ) : (
                  <p class="small">No finding was opened for this failure.</p>
                )}
              </li>
            ))}
          </ul>
        </Section>
      ) : null}
    </>
  );
}

function EntriesSection({ tenant }: { tenant: string }) {
  const [from, setFrom] = useState(1);
  const entries = useApi<AuditEntries>(`${tenantPath(tenant, 'audit', 'entries')}?from=${from}&limit=20`);
  return (
    <Section title="Audit-log entries" id="entries">
      {entries.error ? <ProblemNotice error={entries.error} what="the audit-log entries" /> : null}
      {entries.data ? (
        <>
          <TableRegion label="Audit-log entries">
            <table class="responsive">
              <caption class="sr-only">Audit-log entries from #{from}</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Time</th>
                  <th scope="col">Type</th>
                  <th scope="col">Entry hash</th>
                </tr>
              </thead>
              <tbody>
                {entries.data.items.map((e) => (
                  <tr key={e.seq}>
                    <td data-label="#">{e.seq}</td>
                    <td data-label="Time">{formatDateTime(e.time)}</td>
                    <td data-label="Type">{e.type}</td>
                    <td data-label="Entry hash">
                      <Hash value={e.entryHash} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
          <div class="button-row">
            {from > 1 ? (
              <button type="button" onClick={() => setFrom(Math.max(1, from - 20))}>
                Earlier entries
              </button>
            ) : null}
            {entries.data.nextFrom ? (
              <button type="button" onClick={() => setFrom(entries.data?.nextFrom ?? from)}>
                Later entries
              </button>
            ) : null}
          </div>
        </>
      ) : (
        <Loading what="audit-log entries" />
      )}
    </Section>
  );
}

export function AuditPage({ tenant, role, now = new Date() }: { tenant: string; role: Role; now?: Date }) {
  const [period, setPeriod] = useState(() => currentQuarter(now));
  return (
    <>
      <h1 tabIndex={-1}>Audit</h1>
      <p class="lead">
        The period's restore-test evidence against the controls, and proof from the portal itself that the evidence was
        not rewritten.
      </p>
      <div class="toolbar">
        <label for="period">Period</label>
        <select id="period" value={period} onChange={(e) => setPeriod((e.currentTarget as HTMLSelectElement).value)}>
          {periodOptions(now).map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      <div class="grid grid-wide">
        <VerificationSection tenant={tenant} />
        <DownloadsSection tenant={tenant} period={period} role={role} />
        <ReportSection tenant={tenant} period={period} />
        <EntriesSection tenant={tenant} />
      </div>
    </>
  );
}
