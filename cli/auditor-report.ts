/**
 * Gathers what the auditor report needs from the stores and renders it: the strategy (tenant name,
 * declared resources and their restore policies), the restore tests and findings of the period,
 * the live audit-log verification with the tenant's signing key, and the latest verification.
 */
import type { Adapters } from '#adapters/compose.ts';
import { verifyLive } from '#core/audit/verify.ts';
import { restorePoliciesFor } from '#core/dossier/contents/procedures.ts';
import { NotFoundError } from '#core/errors.ts';
import { type AuditorReport, buildAuditorReport } from '#core/report/auditor.ts';
import { gatherRestoreEvidence } from '#core/report/gather.ts';
import { parsePeriod } from '#core/report/period.ts';
import { parseDuration } from '#core/strategy/duration.ts';
import { parseStrategy } from '#core/strategy/parse.ts';
import { resolveResources } from '#core/strategy/resolve.ts';
import { addDuration } from '#core/time.ts';

export async function auditorReport(
  deps: Adapters,
  tenantId: string,
  periodText: string,
  now: number,
): Promise<AuditorReport> {
  const stored = await deps.strategies.getCurrent(tenantId);
  if (!stored) throw new NotFoundError('StrategyNotFound', `no strategy for tenant '${tenantId}'`);
  const doc = parseStrategy(stored.source, stored.fileName).document;
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
