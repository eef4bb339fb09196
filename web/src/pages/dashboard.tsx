/**
 * The client's dashboard: compliance over time, findings by severity, what is late now, restore
 * tests passed and failed with the RTO trend, whether the reversibility dossier is ready, and the
 * contract's service levels this period so far. The service levels come from their own route
 * (/sla/standing reads the period's verification history): loaded beside /status, never before it,
 * so the first render waits only for the status.
 */
import { tenantPath } from '../api/client.ts';
import type { ReportHistory, SlaStanding, TenantStatus } from '../api/types.gen.ts';
import { BarChart, LineChart } from '../components/charts.tsx';
import { Facts, Section, TableRegion } from '../components/layout.tsx';
import { Badge, Loading, ProblemNotice } from '../components/notice.tsx';
import { formatDate, formatDateTime, formatDuration, formatMoney, formatPercent, timeAxisFormat } from '../format.ts';
import { tenantHref } from '../router.ts';
import { type Loaded, useApi } from '../use-api.ts';

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

function ComplianceSection({ status, history }: { status: TenantStatus; history: ReportHistory | undefined }) {
  const points = [...(history?.items ?? [])].reverse().map((r) => ({
    x: Date.parse(r.evaluatedAt),
    y: r.compliancePercent,
    label: `${formatDateTime(r.evaluatedAt)}: ${formatPercent(r.compliancePercent)}`,
  }));
  const first = points[0];
  const last = points.at(-1);
  return (
    <Section title="Compliance" id="compliance">
      <p class="figure">
        <span id="compliance-figure">{formatPercent(status.compliancePercent)}</span>
        <span class="figure-caption">of resources compliant in the latest verification</span>
      </p>
      <Facts
        items={[
          ['Last verified', formatDateTime(status.lastVerifiedAt)],
          ['Strategy version', status.strategyVersion ?? '—'],
          ['Next RPO deadline', formatDateTime(status.nextDeadline)],
        ]}
      />
      {points.length > 0 && first && last ? (
        <>
          <LineChart
            id="compliance-chart"
            title="Compliance over time"
            description={`${points.length} verification run(s) from ${formatDate(first.x)} to ${formatDate(last.x)}; latest ${formatPercent(last.y)}.`}
            series={[{ name: 'compliance', className: 'series-1', points }]}
            yMax={100}
            yFormat={(y) => `${Math.round(y)} %`}
            xFormat={timeAxisFormat(points.map((p) => p.x))}
          />
          <details>
            <summary>Compliance figures</summary>
            <TableRegion label="Compliance over time">
              <table>
                <caption class="sr-only">Compliance of each verification run</caption>
                <thead>
                  <tr>
                    <th scope="col">Verified</th>
                    <th scope="col">Compliant</th>
                    <th scope="col">Resources</th>
                    <th scope="col">Findings</th>
                  </tr>
                </thead>
                <tbody>
                  {(history?.items ?? []).map((r) => (
                    <tr key={r.runId}>
                      <td>{formatDateTime(r.evaluatedAt)}</td>
                      <td>{formatPercent(r.compliancePercent)}</td>
                      <td>{r.counts.resources}</td>
                      <td>{r.counts.findings}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableRegion>
          </details>
        </>
      ) : (
        <p class="muted">No verification has run yet.</p>
      )}
    </Section>
  );
}

function FindingsSection({ status, tenant }: { status: TenantStatus; tenant: string }) {
  const counts = status.findingsBySeverity;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const names = [...SEVERITIES, ...Object.keys(counts).filter((k) => !(SEVERITIES as readonly string[]).includes(k))];
  const bars = names.map((name) => ({ name, value: counts[name] ?? 0, className: `sev-${name}` }));
  return (
    <Section title="Findings by severity" id="findings-by-severity">
      <p>
        {total === 0
          ? 'The latest verification found nothing wrong.'
          : `${total} finding(s) in the latest verification.`}{' '}
        <a href={tenantHref(tenant, 'findings')}>Restore-test findings: {status.restoreTests.openFindings} open</a>
      </p>
      <BarChart
        id="severity-chart"
        title="Findings by severity"
        description={bars.map((b) => `${b.name}: ${b.value}`).join(', ')}
        bars={bars}
      />
    </Section>
  );
}

function LateSection({ status }: { status: TenantStatus }) {
  return (
    <Section title="Late now" id="late-now">
      {status.lateNow.length === 0 ? (
        <p>Nothing is late: every resource has a backup within its RPO.</p>
      ) : (
        <ul class="late-list">
          {status.lateNow.map((l) => (
            <li key={`${l.resourceId}:${l.rule}`}>
              <span class="resource">{l.resourceId}</span>
              <span class="muted">
                {l.rule}: {l.reason}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function RestoreSection({ status, tenant }: { status: TenantStatus; tenant: string }) {
  const rt = status.restoreTests;
  const trend = [...rt.lastRtos].reverse().map((r) => ({
    x: Date.parse(r.startedAt),
    y: r.rtoMs,
    label: `${formatDateTime(r.startedAt)}: RTO ${formatDuration(r.rtoMs)} (${r.resourceId})`,
  }));
  const target = [...rt.lastRtos].reverse().map((r) => ({ x: Date.parse(r.startedAt), y: r.rtoTargetMs }));
  const maxRto = Math.max(0, ...trend.map((p) => p.y));
  const showTarget = target.length > 0 && Math.max(...target.map((t) => t.y)) <= maxRto * 4;
  return (
    <Section title="Restore tests (last 30 days)" id="restore-tests">
      <div class="split">
        <p class="figure">
          <span id="restore-pass-rate">{formatPercent(rt.passRate)}</span>
          <span class="figure-caption">passed</span>
        </p>
        <Facts
          items={[
            [
              'Passed',
              <span key="p" class="count-ok">
                {rt.passed}
              </span>,
            ],
            [
              'Failed',
              <span key="f" class="count-bad">
                {rt.failed}
              </span>,
            ],
            [
              'Last test',
              rt.lastTestAt ? (
                <>
                  {formatDateTime(rt.lastTestAt)} {rt.lastOutcome ? <Badge value={rt.lastOutcome} /> : null}
                </>
              ) : (
                '—'
              ),
            ],
          ]}
        />
      </div>
      {trend.length > 0 ? (
        <LineChart
          id="rto-chart"
          title="RTO trend"
          description={`Recovery time of the last ${trend.length} test(s): ${trend.map((p) => formatDuration(p.y)).join(', ')}. Targets: ${[...new Set(target.map((t) => formatDuration(t.y)))].join(', ')}.`}
          series={[
            { name: 'RTO', className: 'series-1', points: trend },
            ...(showTarget ? [{ name: 'target', className: 'series-target', points: target, dashed: true }] : []),
          ]}
          yFormat={(y) => formatDuration(y)}
          xFormat={timeAxisFormat(trend.map((p) => p.x))}
          height={180}
        />
      ) : (
        <p class="muted">No restore test has measured an RTO yet.</p>
      )}
      {trend.length > 0 && !showTarget ? (
        <p class="muted small">
          Every RTO is far below its target ({[...new Set(target.map((t) => formatDuration(t.y)))].join(', ')}).
        </p>
      ) : null}
      <p>
        <a href={tenantHref(tenant, 'restore-tests')}>Open the restore-test log</a>
      </p>
    </Section>
  );
}

function DossierSection({ status, tenant }: { status: TenantStatus; tenant: string }) {
  const d = status.dossier;
  return (
    <Section title="Reversibility dossier" id="dossier-readiness">
      <p>
        <Badge value={d.readiness} />{' '}
        {d.readiness === 'ready'
          ? 'The latest dossier covers everything as it is now.'
          : d.readiness === 'stale'
            ? 'Something changed since the latest dossier:'
            : 'No dossier has been exported yet.'}
      </p>
      {d.changed.length > 0 ? (
        <ul>
          {d.changed.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ul>
      ) : null}
      <Facts
        items={[
          ['Latest version', d.lastVersion === null ? '—' : `v${d.lastVersion}`],
          ['Exported', formatDateTime(d.lastExportedAt)],
        ]}
      />
      <p>
        <a href={tenantHref(tenant, 'dossiers')}>Dossiers and download links</a>
      </p>
    </Section>
  );
}

function ServiceLevelsSection({ standing, tenant }: { standing: Loaded<SlaStanding>; tenant: string }) {
  const s = standing.data;
  const noContract = standing.error?.status === 404 && standing.error.code === 'NoContract';
  const money = (minor: number) => formatMoney(minor, s?.currency ?? 'EUR');
  const missed = s ? s.levels.filter((l) => !l.met).length : 0;
  return (
    <Section title="Service levels this period" id="service-levels">
      {noContract ? (
        <p class="muted">The strategy declares no contract: there are no service levels to measure.</p>
      ) : standing.error ? (
        <ProblemNotice error={standing.error} what="the service levels" />
      ) : !s ? (
        <Loading what="the service levels" />
      ) : (
        <>
          <p>
            {s.period} so far ({s.contract}), measured to {formatDateTime(s.measuredTo)}:{' '}
            {missed === 0 ? 'every level is met.' : `${missed} of ${s.levels.length} level(s) missed.`}
          </p>
          <TableRegion label="Service levels: achieved against target">
            <table id="service-levels-table">
              <caption class="sr-only">Each service level's achieved value against its target so far</caption>
              <thead>
                <tr>
                  <th scope="col">Level</th>
                  <th scope="col">Target</th>
                  <th scope="col">Achieved</th>
                  <th scope="col">Standing</th>
                  <th scope="col">Penalty so far</th>
                </tr>
              </thead>
              <tbody>
                {s.levels.map((l) => (
                  <tr key={l.id} data-level={l.id}>
                    <th scope="row">{l.title}</th>
                    <td>{formatPercent(l.target)}</td>
                    <td>{formatPercent(l.achieved)}</td>
                    <td>
                      <Badge value={l.met ? 'met' : 'missed'} />
                      {l.breaches > 0 ? <span class="muted small"> {l.breaches} breach(es)</span> : null}
                    </td>
                    <td>{money(l.penalty)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
          <Facts
            items={[
              [
                'Penalty so far',
                <span key="t" id="sla-penalty">
                  {money(s.total)}
                  {s.capApplied ? ' (capped)' : ''}
                </span>,
              ],
              ['Cap', s.cap === null ? 'none' : money(s.cap)],
            ]}
          />
          <p>
            <a href={tenantHref(tenant, 'audit')}>Statements of closed periods (auditor view)</a>
          </p>
        </>
      )}
    </Section>
  );
}

export function DashboardPage({ tenant }: { tenant: string }) {
  const status = useApi<TenantStatus>(tenantPath(tenant, 'status'));
  const history = useApi<ReportHistory>(`${tenantPath(tenant, 'reports')}?limit=60`);
  // Requested with the status, rendered once the status is: the dashboard's first render never waits for it.
  const standing = useApi<SlaStanding>(tenantPath(tenant, 'sla', 'standing'));
  return (
    <>
      <h1 tabIndex={-1}>Dashboard{status.data ? <span class="subtitle">{status.data.name}</span> : null}</h1>
      {status.error ? <ProblemNotice error={status.error} what="the tenant's status" /> : null}
      {status.loading && !status.data ? <Loading what="the dashboard" /> : null}
      {status.data ? (
        <div class="grid">
          <ComplianceSection status={status.data} history={history.data} />
          <FindingsSection status={status.data} tenant={tenant} />
          <LateSection status={status.data} />
          <RestoreSection status={status.data} tenant={tenant} />
          <DossierSection status={status.data} tenant={tenant} />
          <ServiceLevelsSection standing={standing} tenant={tenant} />
        </div>
      ) : null}
    </>
  );
}
