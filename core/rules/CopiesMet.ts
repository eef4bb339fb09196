import type { RecoveryPoint } from '../model.ts';
import { subtractDuration } from '../time.ts';
import { iso, MAX_LISTED, pointsEndAt } from './support.ts';
import type { Rule, RuleInput, Verdict } from './types.ts';

/** Sources whose "location" is a repository path or URL: a different one is a different site. */
function locationCountsAsOffsite(source: RecoveryPoint['source']): boolean {
  return source === 'restic' || source === 'generic';
}

/**
 * The newest primary point old enough to have been copied (created before `at − copies.within`)
 * has enough good copies, in another region / account / site when the policy says so.
 */
export const rule: Rule = {
  id: 'CopiesMet',
  title: 'Copies made as declared',
  why: 'A single copy shares the fate of its vault, account or region; off-site and cross-account copies are what survive a ransomware attack or a regional outage.',
  evaluate(input: RuleInput): Verdict {
    const { resource, facts, at, timezone } = input;
    const copies = resource.policy.copies;
    if (copies.min <= 0 && !copies.otherRegion && !copies.otherAccount && !copies.offsite) {
      return { status: 'NOT_APPLICABLE', summary: 'the policy asks for no copies' };
    }
    const points = facts.recoveryPoints;
    const cutoff = subtractDuration(at, copies.within, timezone);
    let primary: RecoveryPoint | undefined;
    for (let i = pointsEndAt(points, cutoff) - 1; i >= 0; i--) {
      const p = points[i]!;
      if (p.status === 'AVAILABLE' && p.copyOf === undefined) {
        primary = p;
        break;
      }
    }
    if (primary === undefined) {
      return {
        status: 'NOT_APPLICABLE',
        summary: `no good recovery point older than ${copies.within.text} to expect copies of`,
      };
    }

    let count = 0;
    let otherRegion = false;
    let otherAccount = false;
    let offsite = false;
    const listed: Array<{ recoveryPointId: string; region?: string; accountId?: string; location?: string }> = [];
    // Copies are created after their source point, so only the tail needs scanning.
    const end = pointsEndAt(points, at);
    for (let i = end - 1; i >= 0; i--) {
      const c = points[i]!;
      if (c.createdAt < primary.createdAt) break;
      if (c.copyOf !== primary.recoveryPointId || c.status !== 'AVAILABLE') continue;
      count++;
      if (c.region !== undefined && c.region !== primary.region) otherRegion = true;
      if (c.accountId !== undefined && c.accountId !== primary.accountId) otherAccount = true;
      if (
        c.offsite === true ||
        (locationCountsAsOffsite(c.source) && c.location !== undefined && c.location !== primary.location)
      ) {
        offsite = true;
      }
      if (listed.length < MAX_LISTED) {
        listed.push({
          recoveryPointId: c.recoveryPointId,
          ...(c.region === undefined ? {} : { region: c.region }),
          ...(c.accountId === undefined ? {} : { accountId: c.accountId }),
          ...(c.location === undefined ? {} : { location: c.location }),
        });
      }
    }

    const missing: string[] = [];
    if (count < copies.min) missing.push(`${count} of ${copies.min} copies`);
    if (copies.otherRegion && !otherRegion) missing.push('no copy in another region');
    if (copies.otherAccount && !otherAccount) missing.push('no copy in another account');
    if (copies.offsite && !offsite) missing.push('no offsite copy');
    if (missing.length === 0) {
      return {
        status: 'COMPLIANT',
        summary: `${count} good cop${count === 1 ? 'y' : 'ies'} of the point from ${iso(primary.createdAt)}`,
      };
    }
    return {
      status: 'NON_COMPLIANT',
      severity: count === 0 ? 'high' : 'medium',
      summary: `point ${primary.recoveryPointId} from ${iso(primary.createdAt)}: ${missing.join(', ')}`,
      evidence: {
        recoveryPointId: primary.recoveryPointId,
        createdAt: iso(primary.createdAt),
        region: primary.region ?? null,
        accountId: primary.accountId ?? null,
        copies: count,
        required: copies.min,
        within: copies.within.text,
        copyExamples: listed,
      },
    };
  },
};

export default rule;
