import type { BackupJob } from '../model.ts';
import { formatSpan } from '../time.ts';
import { evaluateAnomaly } from './anomaly.ts';
import type { Rule, RuleInput, Verdict } from './types.ts';

function duration(job: BackupJob): number | undefined {
  return job.completedAt === undefined ? undefined : job.completedAt - job.startedAt;
}

function formatDuration(ms: number): string {
  return ms < 60_000 ? `${Math.round(ms / 1000)}s` : formatSpan(ms);
}

/** The latest completed backup's duration is in line with the resource's own history (robust z-score). */
export const rule: Rule = {
  id: 'DurationAnomaly',
  title: 'Backup duration is typical',
  why: 'A backup that suddenly takes far longer or far shorter than usual signals a changed data set, a throttled target or a job that skipped its work, and it eats into the backup window.',
  evaluate(input: RuleInput): Verdict {
    return evaluateAnomaly(input, {
      ruleLabel: 'backup duration',
      unit: 'ms',
      value: duration,
      // Durations jitter more than sizes: tolerate 10% or a minute before z means anything.
      minScaleRatio: 0.1,
      minScaleAbs: 60_000,
      zeroIsAnomaly: false,
      dropRatio: 0,
      format: formatDuration,
    });
  },
};

export default rule;
