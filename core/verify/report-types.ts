import type { RuleResult, VerdictStatus } from '../rules/types.ts';
import type { StrategyVersionRef } from '../strategy/policy.ts';

export interface ResourceReport {
  resourceId: string;
  name: string;
  source: string;
  declaredBy: string;
  /** Worst verdict over the resource's rules: NON_COMPLIANT beats COMPLIANT beats NOT_APPLICABLE. */
  status: VerdictStatus;
  results: RuleResult[];
}

/** A NON_COMPLIANT verdict with a stable identity across runs, so runs can be compared. */
export interface Finding {
  /** `${resourceId}#${ruleId}`: the same problem keeps the same id from run to run. */
  findingId: string;
  resourceId: string;
  ruleId: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  summary: string;
  why: string;
  evidence: Record<string, unknown>;
  /** When this finding was first seen open (carried over from the previous run). */
  openedAt: string;
}

export interface VerificationReport {
  reportVersion: 1;
  tenantId: string;
  runId: string;
  strategy: StrategyVersionRef;
  /** ISO-8601 evaluation time. */
  evaluatedAt: string;
  /** Resources by worst verdict (compliant + nonCompliant + notApplicable = resources); rules = (resource, rule) verdicts. */
  counts: { resources: number; compliant: number; nonCompliant: number; notApplicable: number; rules: number };
  /** Share of applicable (resource, rule) verdicts that are COMPLIANT, 0..100, one decimal. */
  compliancePercent: number;
  resources: ResourceReport[];
  /** Findings about resources the sources report but the strategy does not declare (drift). */
  undeclared: RuleResult[];
  findings: Finding[];
  comparedTo?: { runId: string; evaluatedAt: string };
  newFindings: string[];
  resolvedFindings: string[];
  /** Earliest time at which a currently compliant resource will miss its RPO (ISO), for the deadline sweep. */
  nextDeadline?: string;
}
