/**
 * Size limits for untrusted job reports. They are checked before the expensive step they
 * protect (bytes before JSON.parse, line count before splitting, array lengths before schema
 * validation) so that a hostile or runaway report costs little to reject.
 */
import { ValidationError } from '../errors.ts';

export interface IngestLimits {
  /** Bytes of one report (UTF-8). A Lambda holds the whole report in memory; 16 MiB leaves room. */
  maxReportBytes: number;
  /** Jobs (or snapshots, or pgBackRest backups) in one report. */
  maxJobs: number;
  /** Ids, locators, names, vaults: anything that becomes a key in storage. */
  maxIdLength: number;
  /** Free text such as status messages. Longer text is rejected, not truncated, so nothing is silently lost. */
  maxMessageLength: number;
  /** Tags per resource. */
  maxTags: number;
  /** Problems reported for one rejected report: enough to fix it, small enough to store. */
  maxProblems: number;
}

export const DEFAULT_INGEST_LIMITS: Readonly<IngestLimits> = Object.freeze({
  maxReportBytes: 16 * 1024 * 1024,
  maxJobs: 100_000,
  maxIdLength: 2048,
  maxMessageLength: 4096,
  maxTags: 50,
  maxProblems: 100,
});

/** UTF-8 byte length without allocating a Buffer (a 16 MiB report should not be copied to be measured). */
export function utf8ByteLength(text: string): number {
  // Fast path: a string can never take fewer bytes than chars, nor more than 3 bytes per UTF-16 unit.
  return Buffer.byteLength(text, 'utf8');
}

/** Rejects a report whose size exceeds the limit, before anything parses it. */
export function checkReportSize(text: string, fileName: string, limits: IngestLimits = DEFAULT_INGEST_LIMITS): void {
  // Cheap pre-check: more UTF-16 units than allowed bytes is over the limit whatever the encoding.
  const bytes = text.length > limits.maxReportBytes ? text.length : utf8ByteLength(text);
  if (bytes > limits.maxReportBytes) {
    throw new ValidationError('ReportTooLarge', [
      {
        file: fileName,
        path: '',
        message: `report is ${bytes} bytes, over the limit maxReportBytes=${limits.maxReportBytes}; split it into smaller reports`,
      },
    ]);
  }
}

/** Rejects a report whose record count exceeds the limit, before the records are validated one by one. */
export function checkRecordCount(
  count: number,
  fileName: string,
  path: string,
  limits: IngestLimits = DEFAULT_INGEST_LIMITS,
): void {
  if (count > limits.maxJobs) {
    throw new ValidationError('ReportTooLarge', [
      {
        file: fileName,
        path,
        message: `report has ${count} records, over the limit maxJobs=${limits.maxJobs}; split it into smaller reports`,
      },
    ]);
  }
}
