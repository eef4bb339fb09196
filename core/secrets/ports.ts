/**
 * Where a tenant's secrets come from: Secrets Manager in AWS, the local secret store on one
 * machine. The escrow reads every secret of a tenant through this port, in memory only.
 */
import type { SecretValue } from './secret-value.ts';

export { REDACTED, SecretValue } from './secret-value.ts';

/** Names a secret without its value: safe to log, list and put in manifests. */
export interface SecretRef {
  /** The secret's name as its owner knows it (Secrets Manager name, local store name). */
  name: string;
  /** The version the listing saw (Secrets Manager VersionId of AWSCURRENT, local store counter). */
  version?: string;
  /** When the value last changed, epoch ms: dossier staleness compares it with the sealed escrow. */
  lastChangedAt?: number;
  tags?: Record<string, string>;
  /**
   * Source-specific address that `read` uses (a Secrets Manager ARN, `<tenant>/<name>` locally).
   * Opaque to callers: they pass back the ref they got from `list`.
   */
  locator?: string;
}

export interface SecretSource {
  /** Every secret of the tenant, without values. */
  list(tenantId: string): AsyncIterable<SecretRef>;
  /** The value of one listed secret (the listed version when the ref names one). */
  read(ref: SecretRef): Promise<SecretValue>;
}
