/**
 * The control mapping of the auditor report: for each control an auditor checks, its requirement in
 * one sentence, the report sections that answer it, and a status computed from the data. The status
 * is deliberately strict and explained: every gap that keeps a control from "met" is listed as a
 * reason, so the provider knows what to fix and the auditor sees why. It is an aid to the audit, not a
 * certification; docs/auditor-report.md states each rule.
 */
import type {
  ControlResult,
  ControlStatus,
  CoverageSection,
  FailureRow,
  FindingRef,
  ReportSummary,
  ResourceSection,
} from './auditor-model.ts';

export type { ControlResult, ControlStatus };

/** What the controls are judged on: the aggregates of the report. */
export interface ControlFacts {
  summary: ReportSummary;
  resources: readonly ResourceSection[];
  coverage: CoverageSection;
  failures: readonly FailureRow[];
  findings: readonly FindingRef[];
  auditOk: boolean;
  format: (ms: number) => string;
}

export const SECTION = {
  summary: 'Summary',
  resources: 'Restore tests per resource',
  trend: 'RTO trend against target',
  failures: 'Failures and corrective actions',
  coverage: 'Coverage',
  audit: 'Audit-log verification',
} as const;

/** Names quoted in a reason; more become "and N more". */
const MAX_NAMES = 5;

/** `1 resource`, `2 resources`. */
function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

function names(list: readonly { name: string }[]): string {
  const shown = list.slice(0, MAX_NAMES).map((r) => r.name);
  const more = list.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}

/** A gap: a reason that keeps a control from MET. Blockers make it NOT_MET. */
interface Verdict {
  blockers: string[];
  gaps: string[];
  satisfied: string[];
}

function verdict(): Verdict {
  return { blockers: [], gaps: [], satisfied: [] };
}

function noTestsBlocker(f: ControlFacts, v: Verdict): void {
  if (f.summary.resourcesDeclared === 0) v.blockers.push('the strategy declares no resource');
  if (f.summary.testsRun === 0) v.blockers.push('no restore test ran in the period');
}

function coverageGap(f: ControlFacts, v: Verdict): void {
  const never = f.coverage.neverTested;
  if (never.length > 0)
    v.gaps.push(
      `${never.length} of ${count(f.summary.resourcesDeclared, 'declared resource')} ${never.length === 1 ? 'was' : 'were'} never tested in the period: ${names(never)}`,
    );
  else if (f.summary.resourcesDeclared > 0)
    v.satisfied.push(`all ${f.summary.resourcesDeclared} declared resources were restored and checked in the period`);
}

function latestFailingGap(f: ControlFacts, v: Verdict): void {
  const failing = f.resources.filter((r) => r.declared && r.status === 'FAILING');
  if (failing.length > 0)
    v.gaps.push(`the latest test did not pass for ${count(failing.length, 'resource')}: ${names(failing)}`);
  else if (f.summary.testsRun > 0) v.satisfied.push('the latest test of every tested resource passed');
}

function rtoGap(f: ControlFacts, v: Verdict): void {
  const missed = f.resources.filter((r) => {
    const last = r.lastTests[0];
    return r.declared && last !== undefined && (last.rtoMs === undefined || last.rtoMs > last.rtoTargetMs);
  });
  if (missed.length > 0)
    v.gaps.push(
      `the latest test missed or did not measure its RTO target for ${count(missed.length, 'resource')}: ${names(missed)}`,
    );
  else if (f.summary.rto.measured > 0) {
    const median = f.summary.rto.medianMs;
    v.satisfied.push(
      `every tested resource met its RTO target on its latest test (median RTO ${median === undefined ? '—' : f.format(median)})`,
    );
  }
}

function policyGap(f: ControlFacts, v: Verdict): void {
  const without = f.coverage.withoutPolicy;
  if (without.length > 0)
    v.gaps.push(
      `${count(without.length, 'declared resource has', 'declared resources have')} no restore-test policy: ${names(without)}`,
    );
  else if (f.summary.resourcesDeclared > 0) v.satisfied.push('every declared resource has a restore-test policy');
}

function correctiveActionGap(f: ControlFacts, v: Verdict): void {
  const unrecorded = f.failures.filter((r) => r.finding === undefined);
  if (unrecorded.length > 0)
    v.gaps.push(
      `${count(unrecorded.length, 'failed test', 'failed tests')} opened no finding (tests ${unrecorded
        .slice(0, 3)
        .map((r) => r.testId)
        .join(', ')}${unrecorded.length > 3 ? ', …' : ''})`,
    );
  const undocumented = f.findings.filter((x) => x.rootCause === undefined || x.correctiveAction === undefined);
  if (undocumented.length > 0)
    v.gaps.push(`${count(undocumented.length, 'finding lacks', 'findings lack')} a root cause or a corrective action`);
  const open = f.findings.filter((x) => x.status === 'OPEN');
  if (open.length > 0) v.gaps.push(`${count(open.length, 'finding is', 'findings are')} still open`);
  if (f.findings.length > 0 && unrecorded.length === 0 && undocumented.length === 0 && open.length === 0)
    v.satisfied.push(
      f.findings.length === 1
        ? 'the one finding has a root cause and a corrective action and is closed'
        : `all ${f.findings.length} findings have a root cause and a corrective action and are closed`,
    );
  if (f.findings.length === 0 && unrecorded.length === 0 && f.summary.testsRun > 0)
    v.satisfied.push('no failure needed corrective action');
}

function auditGap(f: ControlFacts, v: Verdict): void {
  if (!f.auditOk) v.gaps.push('the audit log failed verification: the records behind this report cannot be trusted');
  else v.satisfied.push('the audit log recording these tests verified intact');
}

function conclude(v: Verdict): { status: ControlStatus; reasons: string[] } {
  if (v.blockers.length > 0) return { status: 'NOT_MET', reasons: [...v.blockers, ...v.gaps] };
  if (v.gaps.length > 0) return { status: 'PARTIALLY_MET', reasons: v.gaps };
  return { status: 'MET', reasons: v.satisfied };
}

/** A control as declared: what its result repeats, and the checks that decide its status. */
interface ControlDefinition extends Omit<ControlResult, 'status' | 'reasons'> {
  checks: ((f: ControlFacts, v: Verdict) => void)[];
}

const DEFINITIONS: ControlDefinition[] = [
  {
    id: 'iso27001-a8.13',
    framework: 'ISO/IEC 27001:2022',
    reference: 'A.8.13',
    name: 'Information backup',
    requirement:
      'Backup copies of information, software and systems are maintained and regularly tested in accordance with the agreed backup policy.',
    evidence: [SECTION.summary, SECTION.coverage, SECTION.resources, SECTION.audit],
    checks: [noTestsBlocker, coverageGap, latestFailingGap, auditGap],
  },
  {
    id: 'soc2-a1.3',
    framework: 'SOC 2 (2017 TSC)',
    reference: 'A1.3',
    name: 'Recovery plan testing',
    requirement:
      'Recovery plan procedures supporting system recovery are tested, including the integrity and completeness of backup data, to meet recovery objectives.',
    evidence: [SECTION.resources, SECTION.trend, SECTION.failures, SECTION.audit],
    checks: [noTestsBlocker, latestFailingGap, rtoGap, auditGap],
  },
  {
    id: 'nis2-2024-2690-4.2',
    framework: 'NIS2 Implementing Regulation (EU) 2024/2690',
    reference: 'Annex §4.2',
    name: 'Backup and redundancy management',
    requirement:
      'Backup copies are kept to a plan with recovery times, their integrity is checked regularly, recovery is tested and documented, and failures lead to corrective action.',
    evidence: [SECTION.coverage, SECTION.resources, SECTION.failures, SECTION.audit],
    checks: [noTestsBlocker, coverageGap, correctiveActionGap, auditGap],
  },
  {
    id: 'dora-art12',
    framework: 'DORA (EU) 2022/2554',
    reference: 'Art. 12',
    name: 'Backup policies and restoration testing',
    requirement:
      'Backup policies set the scope of the data backed up, and restoration and recovery procedures are tested periodically on systems segregated from the source.',
    evidence: [SECTION.coverage, SECTION.resources, SECTION.trend, SECTION.audit],
    checks: [noTestsBlocker, policyGap, coverageGap, latestFailingGap, rtoGap, auditGap],
  },
];

export interface Control extends Omit<ControlDefinition, 'checks'> {
  judge(facts: ControlFacts): ControlResult;
}

export const CONTROLS: readonly Control[] = DEFINITIONS.map(({ checks, ...definition }) => ({
  ...definition,
  judge(facts: ControlFacts): ControlResult {
    const v = verdict();
    for (const check of checks) check(facts, v);
    return { ...definition, evidence: [...definition.evidence], ...conclude(v) };
  },
}));
