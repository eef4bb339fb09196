/**
 * A statement's levels reduced to what a reader scans first — achieved against target, met, how many
 * breaches, the penalty — as the CLI's `--json`, `status`, the report and the portal's API all show them.
 */
import type { LevelSummary, SlaStatement } from './types.ts';

export type { LevelSummary };

export function levelSummaries(s: SlaStatement): LevelSummary[] {
  return s.levels.map((l) => ({
    id: l.id,
    title: l.title,
    target: l.target,
    achieved: l.achieved,
    met: l.met,
    breaches: l.breachCount,
    penalty: l.penalty,
  }));
}
