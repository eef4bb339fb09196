/**
 * Which resources each restore-test policy covers, and whether every one of them was really restored
 * within the policy's coverage period. A resource never tested, or whose tests all failed, is
 * reported — never silently skipped (unlike AWS Backup restore testing, which skips a resource that
 * has no eligible recovery point). Pure: time is a parameter.
 */

import { parseDuration } from '../strategy/duration.ts';
import type { DeclaredResource } from '../strategy/policy.ts';
import { sourceOfLocator } from '../strategy/resolve.ts';
import type { RestorePolicyDeclaration, StrategyDocument } from '../strategy/schema.ts';
import { subtractDuration } from '../time.ts';
import type { RestoreTestSummary } from './ports.ts';

/** A resource a policy tests: a declared one, or a locator listed by the policy but not declared. */
export interface PolicyResource {
  resourceId: string;
  /** False when the policy names a locator the strategy does not declare (still tested, and reported). */
  declared: boolean;
}

/** The resources a policy selects among the declared ones (resources: all | [locators], or source). */
export function policyResources(
  policy: Pick<RestorePolicyDeclaration, 'resources' | 'source'>,
  declared: readonly DeclaredResource[],
): PolicyResource[] {
  if (policy.resources === 'all') return declared.map((r) => ({ resourceId: r.resourceId, declared: true }));
  if (Array.isArray(policy.resources)) {
    const known = new Set(declared.map((r) => r.resourceId));
    return [...new Set(policy.resources)].map((resourceId) => ({ resourceId, declared: known.has(resourceId) }));
  }
  if (policy.source !== undefined) {
    return declared
      .filter((r) => (r.source ?? sourceOfLocator(r.resourceId)) === policy.source)
      .map((r) => ({ resourceId: r.resourceId, declared: true }));
  }
  return [];
}

export type CoverageStatus = 'COVERED' | 'NOT_TESTED' | 'NO_PASSING_TEST';

export interface CoverageEntry {
  policyName: string;
  resourceId: string;
  declared: boolean;
  status: CoverageStatus;
  /** The coverage window this entry was judged on (epoch ms). */
  window: { from: number; to: number };
  /** Period text as written (`90d`), or `period` when the policy declares none. */
  coverage: string;
  tests: number;
  passed: number;
  /** Newest test in the window, and newest PASSED one. */
  lastTest?: { testId: string; startedAt: string; outcome: string };
  lastPassed?: { testId: string; startedAt: string };
}

export interface CoverageReport {
  period: { from: number; to: number };
  entries: CoverageEntry[];
  covered: number;
  /** Entries NOT_TESTED or NO_PASSING_TEST: each is a finding. */
  gaps: CoverageEntry[];
}

/**
 * Every (policy, resource) pair judged over the window ending at `period.to` and lasting the
 * policy's `coverage` (in the strategy timezone), but never starting before `period.from`. A policy
 * without `coverage` is judged over the whole period. Only a PASSED test covers a resource: a FAILED
 * or ERROR test proves the restore does not work (yet).
 */
export function coverage(
  doc: StrategyDocument,
  declared: readonly DeclaredResource[],
  tests: readonly RestoreTestSummary[],
  period: { from: number; to: number },
): CoverageReport {
  const byResource = new Map<string, RestoreTestSummary[]>();
  for (const t of tests) {
    const list = byResource.get(t.resourceId) ?? [];
    list.push(t);
    byResource.set(t.resourceId, list);
  }
  const entries: CoverageEntry[] = [];
  for (const policy of doc.restoreTests?.policies ?? []) {
    const from =
      policy.coverage === undefined
        ? period.from
        : Math.max(period.from, subtractDuration(period.to, parseDuration(policy.coverage), doc.timezone));
    const window = { from, to: period.to };
    for (const resource of policyResources(policy, declared)) {
      const inWindow = (byResource.get(resource.resourceId) ?? [])
        .filter((t) => t.policyName === policy.name)
        .filter((t) => {
          const at = Date.parse(t.startedAt);
          return at >= window.from && at <= window.to;
        })
        .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt) || (a.testId < b.testId ? -1 : 1));
      const passed = inWindow.filter((t) => t.outcome === 'PASSED');
      const entry: CoverageEntry = {
        policyName: policy.name,
        resourceId: resource.resourceId,
        declared: resource.declared,
        status: passed.length > 0 ? 'COVERED' : inWindow.length > 0 ? 'NO_PASSING_TEST' : 'NOT_TESTED',
        window,
        coverage: policy.coverage ?? 'period',
        tests: inWindow.length,
        passed: passed.length,
      };
      const last = inWindow[0];
      if (last) entry.lastTest = { testId: last.testId, startedAt: last.startedAt, outcome: last.outcome };
      const lastOk = passed[0];
      if (lastOk) entry.lastPassed = { testId: lastOk.testId, startedAt: lastOk.startedAt };
      entries.push(entry);
    }
  }
  const gaps = entries.filter((e) => e.status !== 'COVERED');
  return { period, entries, covered: entries.length - gaps.length, gaps };
}
