/**
 * Gathers what the auditor report needs from the stores and renders it: the strategy (tenant name,
 * declared resources and their restore policies), the restore tests and findings of the period,
 * the live audit-log verification with the tenant's signing key, and the latest verification.
 */

import type { AuditDeps } from '../audit/ports.ts';
import { verifyLive } from '../audit/verify.ts';
import { restorePoliciesFor } from '../dossier/contents/procedures.ts';
import { NotFoundError } from '../errors.ts';
import type { FactStore, ReportStore, StrategyStore } from '../ports.ts';
import { type AuditorReport, buildAuditorReport } from '../report/auditor.ts';
import { gatherRestoreEvidence } from '../report/gather.ts';
import { parsePeriod } from '../report/period.ts';
import type { FindingStore, RestoreTestStore } from '../restore/ports.ts';
import { parseDuration } from '../strategy/duration.ts';
import { resolveResources } from '../strategy/resolve.ts';
import { parseStoredStrategy } from '../strategy/stored.ts';
import { addDuration } from '../time.ts';

export interface AuditorReportDeps {
  strategies: Pick<StrategyStore, 'getCurrent'>;
  facts: Pick<FactStore, 'listSeenResources'>;
  reports: Pick<ReportStore, 'getLatest'>;
  restoreTests: RestoreTestStore;
  findings: FindingStore;
  audit: AuditDeps;
}

export async function auditorReport(
  deps: AuditorReportDeps,
  tenantId: string,
  periodText: string,
  now: number,
): Promise<AuditorReport> {
  const stored = await deps.strategies.getCurrent(tenantId);
  if (!stored) throw new NotFoundError('StrategyNotFound', `no strategy for tenant '${tenantId}'`);
  const doc = parseStoredStrategy(stored).document;
  const period = parsePeriod(periodText, doc.timezone);
  const { declared } = resolveResources(doc, await deps.facts.listSeenResources(tenantId));
  const declaredResources = declared.map((r) => {
    const policy = restorePoliciesFor(doc, r)[0];
    const out: { resourceId: string; name: string; policyName?: string; rtoTargetMs?: number } = {
      resourceId: r.resourceId,
      name: r.name,
    };
    if (policy) {
      out.policyName = policy.name;
      // An RTO is a span of hours; measured from the period start so calendar units stay exact.
      out.rtoTargetMs = addDuration(period.from, parseDuration(policy.maxRto), doc.timezone) - period.from;
    }
    return out;
  });
  const [evidence, latest, publicKeyPem] = await Promise.all([
    gatherRestoreEvidence(deps, tenantId, period),
    deps.reports.getLatest(tenantId),
    deps.audit.signer ? deps.audit.signer.publicKeyPem() : Promise.resolve(undefined),
  ]);
  if (!publicKeyPem) throw new NotFoundError('NoAuditKey', 'no audit signing key is configured');
  const audit = await verifyLive(deps.audit, tenantId, publicKeyPem);
  return buildAuditorReport({
    tenantId,
    tenantName: doc.tenant.name,
    period,
    generatedAt: now,
    strategy: { version: stored.version, contentSha256: stored.contentSha256 },
    declaredResources,
    tests: evidence.tests,
    findings: evidence.findings,
    audit,
    ...(latest
      ? { latestVerification: { compliancePercent: latest.compliancePercent, evaluatedAt: latest.evaluatedAt } }
      : {}),
  });
}
