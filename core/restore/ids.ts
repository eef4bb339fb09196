/**
 * Determinism for restore tests. A test is identified by (tenant, resource, scheduled time) so that a
 * schedule delivered twice names the same test, and every "random" choice (which recovery point,
 * which files) is drawn from a SHA-256 of that identity: an auditor can recompute it, a rerun makes the
 * same choice, and core stays free of Math.random.
 */
import { createHash } from 'node:crypto';

export interface TestIdentity {
  tenantId: string;
  resourceId: string;
  /** Epoch ms of the schedule slot (not of the actual start: retries keep the same identity). */
  scheduledAt: number;
}

function digest(parts: readonly string[]): Buffer {
  // NUL separators: no tenant/resource pair can be rearranged into another's identity.
  return createHash('sha256').update(parts.join('\u0000'), 'utf8').digest();
}

/** `rt-` + 40 hex characters: a valid Step Functions execution name and S3 key segment. */
export function restoreTestId(id: TestIdentity): string {
  return `rt-${digest(['restore-test', id.tenantId, id.resourceId, new Date(id.scheduledAt).toISOString()])
    .toString('hex')
    .slice(0, 40)}`;
}

/** The seed every reproducible choice of one test derives from. */
export function testSeed(id: TestIdentity): string {
  return digest(['seed', id.tenantId, id.resourceId, String(id.scheduledAt)]).toString('hex');
}

/** A number in [0, 1) determined by (seed, label): 48 bits of SHA-256, uniform enough for sampling. */
export function seededUnit(seed: string, label: string): number {
  return digest([seed, label]).readUIntBE(0, 6) / 2 ** 48;
}

/** Rank key for deterministic sampling: the `k` items with the smallest keys form the sample. */
export function sampleKey(seed: string, name: string): string {
  return digest([seed, 'sample', name]).toString('hex', 0, 16);
}
