import { describe, expect, it } from 'vitest';
import type { RuleResult } from '#core/rules/types.ts';
import { buildReport, compliancePercent, mergeBatches, summariseBatch } from '#core/verify/report.ts';
import { AT, DAY, declared, HOUR, UTC } from '../rules/fixtures.ts';

const strategy = { tenantId: 'acme', version: 3, contentSha256: 'a'.repeat(64) };

function ok(resourceId: string, ruleId: string): RuleResult {
  return { resourceId, ruleId, verdict: { status: 'COMPLIANT', summary: 'fine' } };
}
function na(resourceId: string, ruleId: string): RuleResult {
  return { resourceId, ruleId, verdict: { status: 'NOT_APPLICABLE', summary: 'n/a' } };
}
function bad(resourceId: string, ruleId: string, severity: 'low' | 'high' | 'critical' = 'high'): RuleResult {
  return { resourceId, ruleId, verdict: { status: 'NON_COMPLIANT', summary: 'broken', evidence: { n: 1 }, severity } };
}
function res(id: string) {
  return { ...declared(), resourceId: id, name: id };
}

function run(
  runId: string,
  at: number,
  rs: Array<{ id: string; results: RuleResult[]; deadline?: number }>,
  previous?: ReturnType<typeof buildReport>,
) {
  return buildReport({
    tenantId: 'acme',
    runId,
    strategy,
    at,
    timeZone: UTC,
    resources: rs.map((r) => ({
      resource: res(r.id),
      results: r.results,
      ...(r.deadline === undefined ? {} : { rpoDeadline: r.deadline }),
    })),
    undeclared: [],
    ...(previous === undefined ? {} : { previous }),
  });
}

describe('buildReport', () => {
  const first = run('run-1', AT, [
    { id: 'a', results: [ok('a', 'RpoMet'), ok('a', 'RetentionMet'), na('a', 'CopiesMet')], deadline: AT + 5 * HOUR },
    { id: 'b', results: [bad('b', 'RpoMet', 'critical'), ok('b', 'RetentionMet')] },
    { id: 'c', results: [na('c', 'CopiesMet')], deadline: AT + 2 * HOUR },
    { id: 'd', results: [bad('d', 'FrequencyGaps', 'low')], deadline: AT - HOUR },
  ]);

  it('counts resources by worst verdict and verdicts evaluated', () => {
    expect(first.counts).toEqual({ resources: 4, compliant: 1, nonCompliant: 2, notApplicable: 1, rules: 7 });
    expect(first.resources.map((r) => r.status)).toEqual([
      'COMPLIANT',
      'NON_COMPLIANT',
      'NOT_APPLICABLE',
      'NON_COMPLIANT',
    ]);
  });

  it('computes compliance over applicable verdicts only, with one decimal', () => {
    expect(first.compliancePercent).toBe(60);
    expect(compliancePercent(2, 1)).toBe(66.7);
    expect(compliancePercent(0, 0)).toBe(100);
  });

  it('names findings by resource and rule, worst first, with the rule’s why', () => {
    expect(first.findings.map((f) => f.findingId)).toEqual(['b#RpoMet', 'd#FrequencyGaps']);
    expect(first.findings[0]!.why).toMatch(/RPO/);
    expect(first.findings[0]!.openedAt).toBe(new Date(AT).toISOString());
    expect(first.newFindings).toEqual(['b#RpoMet', 'd#FrequencyGaps']);
    expect(first.comparedTo).toBeUndefined();
  });

  it('sets nextDeadline to the earliest future RPO deadline', () => {
    expect(first.nextDeadline).toBe(new Date(AT + 2 * HOUR).toISOString());
  });

  it('carries openedAt over and lists new and resolved findings against the previous run', () => {
    const later = AT + DAY;
    const second = run(
      'run-2',
      later,
      [
        { id: 'a', results: [bad('a', 'RetentionMet')] },
        { id: 'b', results: [bad('b', 'RpoMet', 'critical')] },
        { id: 'd', results: [ok('d', 'FrequencyGaps')] },
      ],
      first,
    );
    expect(second.findings.find((f) => f.findingId === 'b#RpoMet')!.openedAt).toBe(new Date(AT).toISOString());
    expect(second.findings.find((f) => f.findingId === 'a#RetentionMet')!.openedAt).toBe(new Date(later).toISOString());
    expect(second.newFindings).toEqual(['a#RetentionMet']);
    expect(second.resolvedFindings).toEqual(['d#FrequencyGaps']);
    expect(second.comparedTo).toEqual({ runId: 'run-1', evaluatedAt: new Date(AT).toISOString() });
    expect(second.nextDeadline).toBeUndefined();
  });

  it('turns drift results into findings without counting them in the compliance percentage', () => {
    const report = buildReport({
      tenantId: 'acme',
      runId: 'r',
      strategy,
      at: AT,
      timeZone: UTC,
      resources: [{ resource: res('a'), results: [ok('a', 'RpoMet')] }],
      undeclared: [bad('vol-9', 'UndeclaredResource', 'low')],
    });
    expect(report.compliancePercent).toBe(100);
    expect(report.findings.map((f) => f.findingId)).toEqual(['vol-9#UndeclaredResource']);
    expect(report.undeclared).toHaveLength(1);
  });
});

describe('summariseBatch / mergeBatches', () => {
  it('merges batch summaries into the same counts as one batch', () => {
    const a = [{ resource: res('a'), results: [ok('a', 'RpoMet'), bad('a', 'CopiesMet')], rpoDeadline: AT + 3 * HOUR }];
    const b = [
      { resource: res('b'), results: [na('b', 'CopiesMet')], rpoDeadline: AT + HOUR },
      { resource: res('c'), results: [bad('c', 'RpoMet', 'critical')] },
    ];
    const merged = mergeBatches([summariseBatch(a, AT), summariseBatch(b, AT)]);
    expect(merged).toEqual(summariseBatch([...a, ...b], AT));
    expect(merged).toMatchObject({
      resources: 3,
      compliant: 0,
      nonCompliant: 2,
      notApplicable: 1,
      verdicts: { compliant: 1, nonCompliant: 2, notApplicable: 1 },
      findingsBySeverity: { critical: 1, high: 1, medium: 0, low: 0 },
      nextDeadline: AT + HOUR,
    });
  });
});
