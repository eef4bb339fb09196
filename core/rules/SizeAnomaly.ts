import type { BackupJob } from '../model.ts';
import { evaluateAnomaly, formatBytes } from './anomaly.ts';
import type { Rule, RuleInput, Verdict } from './types.ts';

function size(job: BackupJob): number | undefined {
  return job.sizeBytes;
}

/**
 * The latest completed backup's size is in line with the resource's own history (median/MAD robust
 * z-score); a zero-byte backup or one more than 50% below the median is always flagged.
 */
export const rule: Rule = {
  id: 'SizeAnomaly',
  title: 'Backup size is typical',
  why: 'A backup that suddenly shrinks or grows often means data was deleted, encrypted by ransomware, or excluded by a changed configuration, while the job still reports success.',
  evaluate(input: RuleInput): Verdict {
    return evaluateAnomaly(input, {
      ruleLabel: 'backup size',
      unit: 'bytes',
      value: size,
      minScaleRatio: 0.05,
      minScaleAbs: 1024,
      zeroIsAnomaly: true,
      dropRatio: 0.5,
      format: formatBytes,
    });
  },
};

export default rule;
