import { ValidationError } from '../errors.ts';
import { parseDuration } from './duration.ts';
import type { EffectivePolicy } from './policy.ts';
import type { PolicyFields } from './schema.ts';

/**
 * Built-in values used when neither `defaults` nor the resource sets a field. `rpo` and `retention`
 * have none on purpose: a promise nobody wrote down cannot be checked, so the strategy must say it.
 */
export const BUILT_IN_DEFAULTS = {
  lookback: '35d',
  copies: { min: 0, otherRegion: false, otherAccount: false, offsite: false, within: '24h' },
  encryption: { required: false },
  immutability: { required: false, mode: 'any', minDays: 1 },
  anomaly: { sensitivity: 'medium', minHistory: 7 },
  failureStreak: 3,
} as const;

/** Policy fields a resource must end up with (from itself or from `defaults`). */
export const REQUIRED_POLICY_FIELDS = ['rpo', 'retention'] as const;

/** Which required fields neither the resource nor the defaults set. */
export function missingPolicyFields(
  defaults: PolicyFields | undefined,
  override: PolicyFields | undefined,
): (typeof REQUIRED_POLICY_FIELDS)[number][] {
  return REQUIRED_POLICY_FIELDS.filter((f) => override?.[f] === undefined && defaults?.[f] === undefined);
}

/**
 * Merges, field by field (nested objects too), the resource's own fields over `defaults` over the
 * built-ins. So `copies: { min: 2 }` on a resource keeps `copies.otherRegion` from `defaults`.
 * `where` names the resource in the error when rpo or retention is missing everywhere (parseStrategy
 * reports that earlier, with line numbers; this is the guard for documents built in code).
 */
export function effectivePolicy(
  defaults: PolicyFields | undefined,
  override: PolicyFields | undefined,
  where: { file: string; path: string } = { file: '<strategy>', path: '' },
): EffectivePolicy {
  const missing = missingPolicyFields(defaults, override);
  if (missing.length > 0) {
    throw new ValidationError(
      'InvalidStrategy',
      missing.map((f) => ({
        file: where.file,
        path: where.path,
        message: `no ${f}: set ${f} on this resource or in defaults`,
      })),
    );
  }
  const d = defaults ?? {};
  const o = override ?? {};
  const b = BUILT_IN_DEFAULTS;
  const duration = (field: string, value: string) =>
    parseDuration(value, { file: where.file, path: join(where.path, field) });

  const encryptionRequired = o.encryption?.required ?? d.encryption?.required ?? b.encryption.required;
  const keyId = o.encryption?.keyId ?? d.encryption?.keyId;
  return {
    rpo: duration('rpo', (o.rpo ?? d.rpo)!),
    retention: duration('retention', (o.retention ?? d.retention)!),
    lookback: duration('lookback', o.lookback ?? d.lookback ?? b.lookback),
    copies: {
      min: o.copies?.min ?? d.copies?.min ?? b.copies.min,
      otherRegion: o.copies?.otherRegion ?? d.copies?.otherRegion ?? b.copies.otherRegion,
      otherAccount: o.copies?.otherAccount ?? d.copies?.otherAccount ?? b.copies.otherAccount,
      offsite: o.copies?.offsite ?? d.copies?.offsite ?? b.copies.offsite,
      within: duration('copies.within', o.copies?.within ?? d.copies?.within ?? b.copies.within),
    },
    // A key only means something when encryption is required: a resource that turns `required` off
    // must not inherit the defaults' key and then be judged on it.
    encryption:
      encryptionRequired && keyId !== undefined ? { required: true, keyId } : { required: encryptionRequired },
    immutability: {
      required: o.immutability?.required ?? d.immutability?.required ?? b.immutability.required,
      mode: o.immutability?.mode ?? d.immutability?.mode ?? b.immutability.mode,
      minDays: o.immutability?.minDays ?? d.immutability?.minDays ?? b.immutability.minDays,
    },
    anomaly: {
      sensitivity: o.anomaly?.sensitivity ?? d.anomaly?.sensitivity ?? b.anomaly.sensitivity,
      minHistory: o.anomaly?.minHistory ?? d.anomaly?.minHistory ?? b.anomaly.minHistory,
    },
    failureStreak: o.failureStreak ?? d.failureStreak ?? b.failureStreak,
  };
}

function join(base: string, field: string): string {
  return base ? `${base}.${field}` : field;
}
