/**
 * AWS Backup facts from files a provider already has, for `reversa ingest` and the S3 inbox:
 *
 * - EventBridge events (`source: aws.backup`) as AWS delivers them to a rule's target: one event, a
 *   JSON array, NDJSON, or documents back to back (an archive replay saved by a target, Firehose's
 *   `}{`), normalised by the very code the backup-event Lambda runs (aws-backup-event.ts);
 * - CloudWatch Logs holding a rule's target log: `aws logs filter-log-events` / `get-log-events`
 *   output (`events[].message` is the event JSON as a string), or an export to S3 (lines of
 *   `<timestamp> <event JSON>`);
 * - AWS CLI listings: `aws backup list-backup-jobs`, `list-copy-jobs`,
 *   `list-recovery-points-by-backup-vault`, `list-recovery-points-by-resource` (`--output json`),
 *   one page or several appended, mapped by the reconciler's own code (aws-backup-api.ts).
 *
 * A job seen in an event and in a listing is one job: same ids, same mapping. The file is
 * validated completely before anything is stored; what is malformed is a located problem, what is
 * well-formed but carries no backup facts (a CREATED event, a vault or restore event) is counted as
 * ignored. Each record names the AWS account it came from, for the caller to check against the
 * tenant's strategy.
 */
import type { FactBatch } from '../model.ts';
import { TERMINAL_JOB_STATES } from '../model.ts';
import { MAX_NESTING_DEPTH } from '../text.ts';
import {
  type ApiRead,
  type ApiReadContext,
  readApiBackupJob,
  readApiCopyJob,
  readApiPointByResource,
  readApiPointByVault,
} from './aws-backup-api.ts';
import { normaliseBackupEvent } from './aws-backup-event.ts';
import type { AwsJobRecord, AwsRecoveryPointRecord } from './aws-backup-mapping.ts';
import { factsFromAwsJob, factsFromAwsRecoveryPoint, mergeBatches, parseArn } from './aws-backup-mapping.ts';
import { finaliseBatch } from './batch.ts';
import { findDeepNesting, type PathSegment, type TextPosition } from './json-locate.ts';
import type { IngestLimits } from './limits.ts';
import { checkRecordCount } from './limits.ts';
import { ProblemList } from './problems.ts';

export const AWS_FILE_FORMATS = ['aws-backup-events', 'cloudwatch-logs', 'aws-backup-cli', 'aws-backup-mixed'] as const;
export type AwsFileFormat = (typeof AWS_FILE_FORMATS)[number];

export interface AwsFileContext {
  tenantId: string;
  fileName: string;
  receivedAt: number;
  /**
   * The resource a `list-recovery-points-by-resource` output lists: that output does not repeat
   * the `--resource-arn` it was asked for (CLI: `reversa ingest --resource-arn`).
   */
  resourceArn?: string | undefined;
}

/** An AWS account a record of the file comes from, with where it was first seen. */
export interface AwsAccountSeen {
  accountId: string;
  line: number;
  column?: number | undefined;
  path: string;
}

export interface AwsBackupFile {
  format: AwsFileFormat;
  batch: FactBatch;
  accounts: AwsAccountSeen[];
  /** Well-formed entries without backup facts (CREATED events, vault, plan and restore events). */
  ignored: number;
}

/** One top-level JSON document of the file, parsed, with its text (to locate paths in it). */
export interface AwsDocument {
  value: unknown;
  text: string;
  /** 1-based line of the document's start. */
  line: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

type DocumentKind = 'event' | 'logs' | 'cli';
const FORMAT_OF: Record<DocumentKind, AwsFileFormat> = {
  event: 'aws-backup-events',
  logs: 'cloudwatch-logs',
  cli: 'aws-backup-cli',
};

/** What an AWS document is, from its shape; undefined when it is none of ours. */
export function awsDocumentKind(v: unknown): DocumentKind | undefined {
  if (!isObj(v)) return undefined;
  if (typeof v['detail-type'] === 'string' && typeof v.source === 'string' && 'detail' in v) return 'event';
  if (Array.isArray(v.BackupJobs) || Array.isArray(v.CopyJobs) || Array.isArray(v.RecoveryPoints)) return 'cli';
  if (Array.isArray(v.events)) {
    const first = v.events[0];
    if (isObj(first) && typeof first.message === 'string') return 'logs';
    if (v.events.length === 0 && ('searchedLogStreams' in v || 'nextForwardToken' in v)) return 'logs';
  }
  return undefined;
}

/**
 * `2026-03-02T02:41:17.000Z {"version":"0",…}`: a CloudWatch Logs export line (timestamp, one
 * space, the message); the timestamp may also be epoch milliseconds.
 */
const EXPORT_LINE = /^(\d{4}-\d{2}-\d{2}T[0-9:.]{8,18}(?:Z|[+-]\d{2}:?\d{2})|\d{10,16}) +(?=\{)/;

export function isLogExportLine(line: string): boolean {
  return EXPORT_LINE.test(line);
}

const accountOf = (arn: unknown): string | undefined =>
  typeof arn === 'string' ? parseArn(arn)?.accountId || undefined : undefined;

/** Collects facts, accounts and problems over every entry of the file. */
class Collector {
  readonly batches: FactBatch[] = [];
  readonly accounts = new Map<string, AwsAccountSeen>();
  readonly kinds = new Set<DocumentKind>();
  readonly problems: ProblemList;
  ignored = 0;
  private records = 0;
  private missingResourceArn = false;

  constructor(
    readonly ctx: AwsFileContext,
    readonly limits: IngestLimits,
  ) {
    this.problems = new ProblemList(ctx.fileName, undefined, 0, limits.maxProblems);
  }

  /** Counts entries as they are met, so a file over maxJobs stops before the rest is read. */
  count(n: number, path: string): void {
    this.records += n;
    checkRecordCount(this.records, this.ctx.fileName, path, this.limits);
  }

  account(accountId: string | undefined, list: ProblemList, path: PathSegment[], at?: TextPosition): void {
    if (accountId === undefined || !/^\d{12}$/.test(accountId)) {
      list.add(
        path,
        'names no 12-digit AWS account: Reversa cannot tell which tenant it belongs to (events carry `account`, listings `AccountId` or an ARN)',
        at,
      );
      return;
    }
    if (this.accounts.has(accountId)) return;
    // Where it was first seen, for the problem if the account turns out not to be the tenant's.
    const where = list.locate(path, at);
    this.accounts.set(accountId, { accountId, line: where.line ?? 1, column: where.column, path: where.path });
  }

  event(value: unknown, list: ProblemList, path: PathSegment[], at?: TextPosition): void {
    const normalised = normaliseBackupEvent(value, this.ctx.tenantId, this.ctx.receivedAt);
    const reason = normalised.ignored?.reason;
    if (reason === 'not-aws-backup') {
      list.add(
        path,
        'an EventBridge event whose source is not aws.backup: only AWS Backup events carry backup facts',
        at,
      );
      return;
    }
    if (reason === 'malformed') {
      list.add(path, `malformed AWS Backup event: ${normalised.ignored?.detail}`, at);
      return;
    }
    if (reason !== undefined) {
      this.ignored++;
      return;
    }
    // Routed like the Lambda routes it: by the account that emitted the event.
    this.account((value as Obj).account as string | undefined, list, [...path, 'account'], at);
    this.batches.push(normalised);
  }

  logs(doc: Obj, list: ProblemList, prefix: PathSegment[]): void {
    this.kinds.add('logs');
    const events = doc.events as unknown[];
    this.count(events.length, 'events');
    events.forEach((entry, i) => {
      const path = [...prefix, 'events', i];
      if (!isObj(entry) || typeof entry.message !== 'string') {
        list.add(path, 'expected a log event with a `message` string');
        return;
      }
      const where = path.concat('message');
      const event = this.parseMessage(entry.message, list, where);
      if (event !== undefined) this.event(event, list, where);
    });
  }

  /** A log message holding an event as JSON text (the outer depth check cannot see inside strings). */
  parseMessage(message: string, list: ProblemList, path: PathSegment[], at?: TextPosition): unknown {
    if (findDeepNesting(message, MAX_NESTING_DEPTH)) {
      list.add(
        path,
        `the message nests more than ${MAX_NESTING_DEPTH} levels deep: it is not an EventBridge event`,
        at,
      );
      return undefined;
    }
    let value: unknown;
    try {
      value = JSON.parse(message);
    } catch {
      list.add(path, 'the log message is not JSON: expected the EventBridge event the rule delivered', at);
      return undefined;
    }
    if (awsDocumentKind(value) !== 'event') {
      list.add(
        path,
        'the log message is not an EventBridge event (expected version, id, detail-type, source, account, detail)',
        at,
      );
      return undefined;
    }
    return value;
  }

  cli(doc: Obj, list: ProblemList, prefix: PathSegment[]): void {
    this.kinds.add('cli');
    const read = <T>(
      key: string,
      map: (item: Obj) => ApiRead<T>,
      use: (record: T, item: Obj, path: PathSegment[]) => void,
    ): void => {
      const items = doc[key];
      if (items === undefined) return;
      if (!Array.isArray(items)) {
        list.add([...prefix, key], 'expected an array');
        return;
      }
      this.count(items.length, key);
      items.forEach((item, i) => {
        const path = [...prefix, key, i];
        if (!isObj(item)) {
          list.add(path, 'expected an object');
          return;
        }
        const r = map(item);
        if (r.problems) for (const p of r.problems) list.add([...path, ...p.path], p.message);
        else use(r.record, item, path);
      });
    };
    const api: ApiReadContext = {
      // A listing has no time of its own: a finished job is observed at its completion, an
      // unfinished one at its creation, so the same listing ingested twice is the same observation.
      jobObservedAt: (state, startedAt, completedAt) =>
        TERMINAL_JOB_STATES.has(state) && completedAt !== undefined ? completedAt : startedAt,
      limits: this.limits,
    };
    const job = (record: AwsJobRecord, source: unknown, path: PathSegment[]): void => {
      this.account(source as string | undefined, list, path);
      this.batches.push(factsFromAwsJob(this.ctx.tenantId, record));
    };
    read(
      'BackupJobs',
      (j) => readApiBackupJob(j, api),
      (record, j, path) => job(record, j.AccountId ?? accountOf(j.BackupVaultArn) ?? accountOf(j.ResourceArn), path),
    );
    // The copy job belongs to the account that copies (AccountId), not to the destination's.
    read(
      'CopyJobs',
      (j) => readApiCopyJob(j, api),
      (record, j, path) =>
        job(record, j.AccountId ?? accountOf(j.SourceBackupVaultArn) ?? accountOf(j.ResourceArn), path),
    );
    const point = (record: AwsRecoveryPointRecord, account: string | undefined, path: PathSegment[]): void => {
      this.account(account, list, path);
      this.batches.push(factsFromAwsRecoveryPoint(this.ctx.tenantId, record));
    };
    read<AwsRecoveryPointRecord>(
      'RecoveryPoints',
      (rp) => {
        if ('ResourceArn' in rp) return readApiPointByVault(rp, this.limits);
        const resourceArn = this.ctx.resourceArn;
        if (resourceArn === undefined) {
          if (!this.missingResourceArn) {
            this.missingResourceArn = true;
            return {
              problems: [
                {
                  path: [],
                  message:
                    'this is `aws backup list-recovery-points-by-resource` output, which does not name its resource: ingest it with --resource-arn <the ARN you gave the AWS CLI>',
                },
              ],
            };
          }
          return { problems: [] };
        }
        return readApiPointByResource(rp, { resourceArn, now: this.ctx.receivedAt, limits: this.limits });
      },
      (record, rp, path) =>
        // The resource's account (a point in an offsite vault still belongs to the tenant's resource).
        point(
          record,
          accountOf(record.resourceArn) ?? accountOf(rp.BackupVaultArn) ?? accountOf(record.recoveryPointArn),
          path,
        ),
    );
  }

  /** One top-level value: an AWS document, or an array of them (`jq -s`, a JSON array of events). */
  document(value: unknown, list: ProblemList, prefix: PathSegment[] = []): void {
    if (Array.isArray(value) && prefix.length === 0) {
      value.forEach((item, i) => {
        this.document(item, list, [i]);
      });
      return;
    }
    const kind = awsDocumentKind(value);
    if (kind === 'event') {
      this.kinds.add('event');
      this.count(1, '');
      this.event(value, list, prefix);
    } else if (kind === 'logs') this.logs(value as Obj, list, prefix);
    else if (kind === 'cli') this.cli(value as Obj, list, prefix);
    else
      list.add(
        prefix,
        'expected an AWS Backup EventBridge event, `aws logs filter-log-events` output or `aws backup list-*` output',
      );
  }

  result(): AwsBackupFile {
    this.problems.throwIfAny();
    const kinds = [...this.kinds];
    return {
      format: kinds.length === 1 ? FORMAT_OF[kinds[0] as DocumentKind] : 'aws-backup-mixed',
      batch: finaliseBatch(mergeBatches(this.batches)),
      accounts: [...this.accounts.values()],
      ignored: this.ignored,
    };
  }
}

/** JSON documents (one, an array, or several back to back) holding AWS events or listings. */
export function parseAwsBackupDocuments(
  docs: readonly AwsDocument[],
  ctx: AwsFileContext,
  limits: IngestLimits,
): AwsBackupFile {
  const c = new Collector(ctx, limits);
  for (const doc of docs) c.document(doc.value, c.problems.forDocument(doc.text, doc.line - 1));
  return c.result();
}

/** A CloudWatch Logs export to S3: every non-blank line `<timestamp> <event JSON>`. */
export function parseLogExport(text: string, ctx: AwsFileContext, limits: IngestLimits): AwsBackupFile {
  const c = new Collector(ctx, limits);
  const lines = text.split('\n');
  c.kinds.add('logs');
  lines.forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const at = { line: index + 1, column: 1 };
    const prefix = EXPORT_LINE.exec(line);
    if (!prefix) {
      c.problems.add([], 'expected `<timestamp> <event JSON>` (a line of a CloudWatch Logs export)', at);
      return;
    }
    c.count(1, '');
    const messageAt = { line: at.line, column: prefix[0].length + 1 };
    const event = c.parseMessage(line.slice(prefix[0].length), c.problems, [], messageAt);
    if (event !== undefined) c.event(event, c.problems, [], messageAt);
  });
  const result = c.result();
  return { ...result, format: 'cloudwatch-logs' };
}
