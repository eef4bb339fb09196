/** Small hand-built facts for rule tests: one resource, daily backups, times in UTC unless said. */
import type { BackupJob, RecoveryPoint, ResourceFacts } from '#core/model.ts';
import type { Verdict } from '#core/rules/types.ts';
import type { DeclaredResource, Duration, DurationUnit, EffectivePolicy } from '#core/strategy/policy.ts';

export const RESOURCE_ID = 'arn:aws:rds:eu-west-3:111122223333:db:orders';
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const MINUTE = 60_000;

export function dur(text: string): Duration {
  const m = /^(\d+)([mhdwy])$/.exec(text);
  if (m === null) throw new TypeError(`bad duration ${text}`);
  return { amount: Number(m[1]), unit: m[2] as DurationUnit, text };
}

export interface PolicyOverrides
  extends Partial<Omit<EffectivePolicy, 'copies' | 'encryption' | 'immutability' | 'anomaly'>> {
  copies?: Partial<EffectivePolicy['copies']>;
  encryption?: EffectivePolicy['encryption'];
  immutability?: Partial<EffectivePolicy['immutability']>;
  anomaly?: Partial<EffectivePolicy['anomaly']>;
}

export function declared(
  overrides: PolicyOverrides = {},
  source: DeclaredResource['source'] = 'aws-backup',
): DeclaredResource {
  const { copies, encryption, immutability, anomaly, ...rest } = overrides;
  return {
    resourceId: RESOURCE_ID,
    name: 'Orders database',
    source,
    declaredBy: 'resources[0]',
    policy: {
      rpo: dur('24h'),
      retention: dur('35d'),
      lookback: dur('35d'),
      failureStreak: 3,
      ...rest,
      copies: { min: 0, otherRegion: false, otherAccount: false, offsite: false, within: dur('24h'), ...copies },
      encryption: encryption ?? { required: false },
      immutability: { required: false, mode: 'any', minDays: 1, ...immutability },
      anomaly: { sensitivity: 'medium', minHistory: 7, ...anomaly },
    },
  };
}

let seq = 0;

export function job(startedAt: number, extra: Partial<BackupJob> = {}): BackupJob {
  seq++;
  return {
    tenantId: 'acme',
    source: 'aws-backup',
    kind: 'backup',
    jobId: `job-${seq}`,
    resourceId: RESOURCE_ID,
    state: 'COMPLETED',
    startedAt,
    completedAt: startedAt + 10 * MINUTE,
    sizeBytes: 1_000_000,
    observedAt: startedAt + 11 * MINUTE,
    ...extra,
  };
}

export function point(createdAt: number, extra: Partial<RecoveryPoint> = {}): RecoveryPoint {
  seq++;
  return {
    tenantId: 'acme',
    source: 'aws-backup',
    recoveryPointId: `rp-${seq}`,
    resourceId: RESOURCE_ID,
    status: 'AVAILABLE',
    createdAt,
    region: 'eu-west-3',
    accountId: '111122223333',
    location: 'vault-main',
    encrypted: true,
    observedAt: createdAt,
    ...extra,
  };
}

/** `count` daily values ending at `last`, oldest first. */
export function daily(last: number, count: number): number[] {
  const out: number[] = [];
  for (let i = count - 1; i >= 0; i--) out.push(last - i * DAY);
  return out;
}

/** Daily jobs with their recovery points. */
export function dailyFacts(last: number, count: number): ResourceFacts {
  const times = daily(last, count);
  return { jobs: times.map((t) => job(t)), recoveryPoints: times.map((t) => point(t)) };
}

export function facts(jobs: BackupJob[] = [], recoveryPoints: RecoveryPoint[] = []): ResourceFacts {
  return { jobs, recoveryPoints };
}

/** Narrows a verdict for assertions on evidence/severity. */
export function nonCompliant(v: Verdict): Extract<Verdict, { status: 'NON_COMPLIANT' }> {
  if (v.status !== 'NON_COMPLIANT') throw new TypeError(`expected NON_COMPLIANT, got ${v.status}: ${v.summary}`);
  return v;
}

export const AT = Date.parse('2026-06-15T12:00:00.000Z');
export const UTC = 'UTC';
