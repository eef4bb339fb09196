/**
 * The small JSON record written next to a rejected report in `quarantine/<tenantId>/…`, so a
 * provider engineer sees why without rerunning anything. Pure: building it is here, storing
 * it belongs to the caller (functions/ingest/s3-inbox.ts, the CLI).
 */
import type { Problem } from '../errors.ts';
import { ReversaError, ValidationError } from '../errors.ts';
import { DEFAULT_INGEST_LIMITS } from './limits.ts';
import { toIso } from './time.ts';

export const QUARANTINE_RECORD_VERSION = 1;

export interface QuarantineRecord {
  reversaQuarantine: typeof QUARANTINE_RECORD_VERSION;
  tenantId: string;
  /** Where the report was received, e.g. `inbox/acme/restic/web1.json`. */
  originalKey: string;
  /** Where the report itself was moved. */
  quarantinedKey: string;
  receivedAt: string;
  /** The error code, e.g. `InvalidJobReport`, `ReportTooLarge`. */
  reason: string;
  /** One line for humans. */
  summary: string;
  problems: Problem[];
}

export interface QuarantineInput {
  tenantId: string;
  originalKey: string;
  receivedAt: number;
  /** What the ingestion threw. Non-ValidationErrors should be retried, not quarantined; they are still described. */
  error: unknown;
}

/** `inbox/<tenant>/a/b.json` → `quarantine/<tenant>/a/b.json`; any other key is kept whole under the tenant's quarantine. */
export function quarantineKeys(tenantId: string, originalKey: string): { reportKey: string; recordKey: string } {
  const inbox = `inbox/${tenantId}/`;
  const rest = originalKey.startsWith(inbox) ? originalKey.slice(inbox.length) : originalKey.replace(/^\/+/, '');
  const reportKey = `quarantine/${tenantId}/${rest}`;
  return { reportKey, recordKey: `${reportKey}.rejected.json` };
}

export function quarantineRecord(input: QuarantineInput): QuarantineRecord {
  const { reportKey } = quarantineKeys(input.tenantId, input.originalKey);
  const e = input.error;
  let reason = 'UnexpectedError';
  let problems: Problem[] = [];
  let summary = 'the report could not be ingested';
  if (e instanceof ValidationError) {
    reason = e.code;
    problems = e.problems.slice(0, DEFAULT_INGEST_LIMITS.maxProblems);
    summary = `${e.problems.length} problem(s); first: ${e.problems[0]?.message ?? 'unknown'}`;
  } else if (e instanceof ReversaError) {
    reason = e.code;
    summary = e.message;
  }
  return {
    reversaQuarantine: QUARANTINE_RECORD_VERSION,
    tenantId: input.tenantId,
    originalKey: input.originalKey,
    quarantinedKey: reportKey,
    receivedAt: toIso(input.receivedAt),
    reason,
    summary: summary.slice(0, 500),
    problems,
  };
}
