import type { BackupSource } from '../model.ts';

/** Units: m(inutes), h(ours) are absolute; d(ays), w(eeks), y(ears) are calendar units in the tenant's timezone. */
export type DurationUnit = 'm' | 'h' | 'd' | 'w' | 'y';

export interface Duration {
  amount: number;
  unit: DurationUnit;
  /** As written in the strategy, e.g. `35d`: used in explanations. */
  text: string;
}

export type ImmutabilityMode = 'vault-lock' | 'object-lock' | 'any';
export type AnomalySensitivity = 'off' | 'low' | 'medium' | 'high';

/** A resource's policy after defaults and overrides are merged: what the rules judge against. */
export interface EffectivePolicy {
  rpo: Duration;
  retention: Duration;
  /** Window over which frequency gaps, failure streaks and anomalies are judged. */
  lookback: Duration;
  copies: { min: number; otherRegion: boolean; otherAccount: boolean; offsite: boolean; within: Duration };
  encryption: { required: boolean; keyId?: string };
  immutability: { required: boolean; mode: ImmutabilityMode; minDays: number };
  anomaly: { sensitivity: AnomalySensitivity; minHistory: number };
  /** Consecutive failed jobs that make a finding. */
  failureStreak: number;
}

/** A resource the strategy declares, explicitly or through a selector, with its effective policy. */
export interface DeclaredResource {
  resourceId: string;
  name: string;
  source: BackupSource;
  resourceType?: string;
  /** Where in the strategy it comes from, e.g. `resources[3]` (explicit) or `resources[5].select` (selector). */
  declaredBy: string;
  policy: EffectivePolicy;
}

/** The identity of an applied strategy version: every finding names one. */
export interface StrategyVersionRef {
  tenantId: string;
  version: number;
  contentSha256: string;
}
