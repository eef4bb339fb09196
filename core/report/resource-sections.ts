/**
 * The per-resource part of the auditor report: one section per declared resource (in declaration
 * order, tested or not), then one per resource that was tested in the period but is no longer
 * declared, and the coverage that follows from them (never tested, no policy at all).
 */
import type { RestoreTestSummary } from '../restore/ports.ts';
import { toIso } from '../time.ts';
import type { CoverageSection, DeclaredResourceRef, ResourceSection, TestRow } from './auditor-model.ts';
import { median, ms, newestFirst } from './statistics.ts';

/** Tests listed per resource (newest first); the trend chart shows more. */
export const LAST_TESTS_PER_RESOURCE = 5;
/** Points per RTO trend (the most recent): a daily test over a year still fits. */
export const MAX_TREND_POINTS = 400;

function testRow(t: RestoreTestSummary): TestRow {
  const row: TestRow = {
    testId: t.testId,
    startedAt: toIso(ms(t.startedAt)),
    runner: t.runner,
    policyName: t.policyName,
    outcome: t.outcome,
    reason: t.reason,
    rtoTargetMs: t.rtoTargetMs,
    rtoMet: t.rtoMet,
    strategyVersion: t.strategyVersion,
  };
  if (t.rtoMs !== undefined) row.rtoMs = t.rtoMs;
  if (t.achievedRpoMs !== undefined) row.achievedRpoMs = t.achievedRpoMs;
  if (t.recoveryPointId !== undefined) row.recoveryPointId = t.recoveryPointId;
  if (t.auditSeq !== undefined) row.auditSeq = t.auditSeq;
  return row;
}

function resourceSection(
  ref: DeclaredResourceRef,
  declared: boolean,
  tests: readonly RestoreTestSummary[],
): ResourceSection {
  const sorted = [...tests].sort(newestFirst);
  const latest = sorted[0];
  const rtos = sorted.filter((t) => t.rtoMs !== undefined).map((t) => t.rtoMs!);
  const section: ResourceSection = {
    resourceId: ref.resourceId,
    name: ref.name,
    declared,
    status: latest === undefined ? 'NEVER_TESTED' : latest.outcome === 'PASSED' ? 'PASSING' : 'FAILING',
    tests: sorted.length,
    passed: sorted.filter((t) => t.outcome === 'PASSED').length,
    failed: sorted.filter((t) => t.outcome === 'FAILED').length,
    error: sorted.filter((t) => t.outcome === 'ERROR').length,
    lastTests: sorted.slice(0, LAST_TESTS_PER_RESOURCE).map(testRow),
    trend: sorted
      .filter((t) => t.rtoMs !== undefined)
      .slice(0, MAX_TREND_POINTS)
      .reverse()
      .map((t) => ({ at: toIso(ms(t.startedAt)), rtoMs: t.rtoMs!, targetMs: t.rtoTargetMs, outcome: t.outcome })),
  };
  if (ref.policyName !== undefined) section.policyName = ref.policyName;
  const target = ref.rtoTargetMs ?? latest?.rtoTargetMs;
  if (target !== undefined) section.rtoTargetMs = target;
  const med = median(rtos);
  if (med !== undefined) section.medianRtoMs = med;
  if (rtos.length > 0) section.worstRtoMs = Math.max(...rtos);
  return section;
}

/** Declared resources first, in declaration order (a repeated id once); then resources tested but no longer declared. */
export function resourceSections(
  declaredResources: readonly DeclaredResourceRef[],
  tests: readonly RestoreTestSummary[],
): ResourceSection[] {
  const byResource = new Map<string, RestoreTestSummary[]>();
  for (const t of tests) {
    const list = byResource.get(t.resourceId);
    if (list === undefined) byResource.set(t.resourceId, [t]);
    else list.push(t);
  }
  const declaredIds = new Set<string>();
  const resources: ResourceSection[] = [];
  for (const ref of declaredResources) {
    if (declaredIds.has(ref.resourceId)) continue;
    declaredIds.add(ref.resourceId);
    resources.push(resourceSection(ref, true, byResource.get(ref.resourceId) ?? []));
  }
  const undeclared = [...byResource.keys()].filter((id) => !declaredIds.has(id)).sort();
  for (const id of undeclared)
    resources.push(resourceSection({ resourceId: id, name: id }, false, byResource.get(id)!));
  return resources;
}

/** What the declared resources' sections say about coverage: never tested in the period, or untestable. */
export function coverageOf(declared: readonly ResourceSection[]): CoverageSection {
  return {
    neverTested: declared
      .filter((r) => r.tests === 0)
      .map((r) =>
        r.policyName === undefined
          ? { resourceId: r.resourceId, name: r.name }
          : { resourceId: r.resourceId, name: r.name, policyName: r.policyName },
      ),
    withoutPolicy: declared
      .filter((r) => r.policyName === undefined)
      .map((r) => ({ resourceId: r.resourceId, name: r.name })),
  };
}
