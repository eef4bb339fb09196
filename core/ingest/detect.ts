/**
 * One entry point for job reports: recognises the format from the content (never from the
 * file name, which tenants' tools choose freely), checks size limits before parsing, and
 * returns a canonical FactBatch or throws ValidationError('InvalidJobReport' | 'ReportTooLarge')
 * whose problems all name the file.
 */
import type { FactBatch } from '../model.ts';
import { MAX_NESTING_DEPTH } from '../text.ts';
import {
  AWS_FILE_FORMATS,
  type AwsAccountSeen,
  type AwsBackupFile,
  type AwsDocument,
  awsDocumentKind,
  isLogExportLine,
  parseAwsBackupDocuments,
  parseLogExport,
} from './aws-backup-file.ts';
import { emptyBatch } from './batch.ts';
import { parseGenericNdjson, parseGenericReport } from './generic.ts';
import { splitJsonDocuments } from './json-documents.ts';
import { findDeepNesting, positionOf } from './json-locate.ts';
import type { IngestLimits } from './limits.ts';
import { checkRecordCount, checkReportSize, DEFAULT_INGEST_LIMITS } from './limits.ts';
import { parsePgBackRestInfo } from './pgbackrest.ts';
import { invalidReport, ProblemList } from './problems.ts';
import { parseResticBackupOutput, parseResticBackupWrapper, parseResticSnapshots } from './restic.ts';

export const REPORT_FORMATS = [
  'generic',
  'generic-ndjson',
  'restic-snapshots',
  'restic-backup',
  'pgbackrest-info',
  /** `[]`: a tool listing nothing (restic and pgBackRest both print it); valid, no facts. */
  'empty',
  ...AWS_FILE_FORMATS,
] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportContext {
  tenantId: string;
  /** Shown in every problem: the S3 key, the CLI path, or `<stdin>`. */
  fileName: string;
  /** When Reversa received the report: the observation time only when the report has none. */
  receivedAt: number;
  /** Repository the report describes (restic), used as recovery point location. */
  repository?: string | undefined;
  /** The resource of an `aws backup list-recovery-points-by-resource` output (which does not name it). */
  resourceArn?: string | undefined;
  limits?: IngestLimits | undefined;
}

export interface ParsedJobReport {
  format: ReportFormat;
  batch: FactBatch;
  /** AWS files only: the accounts their records come from (to check against the tenant) and entries without facts. */
  aws?: { accounts: AwsAccountSeen[]; ignored: number };
}

function fromAws(file: AwsBackupFile): ParsedJobReport {
  return { format: file.format, batch: file.batch, aws: { accounts: file.accounts, ignored: file.ignored } };
}

const EXPECTED =
  'expected a restic, pgBackRest or Reversa job report, or AWS Backup events or `aws backup list-*` output';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** V8's JSON.parse message without the input excerpt it quotes (reports may hold things we must not echo). */
function jsonSyntaxProblem(text: string, error: unknown): { message: string; at?: { line: number; column: number } } {
  const raw = error instanceof Error ? error.message : '';
  const pos = /at position (\d+)/.exec(raw);
  const what = raw
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/^Unexpected token '(.)'.*$/s, "unexpected character '$1'")
    .slice(0, 120);
  const message = `not valid JSON${what ? ` (${what})` : ''}: ${EXPECTED}`;
  return pos ? { message, at: positionOf(text, Number(pos[1])) } : { message };
}

function classifyArray(doc: unknown[]): ReportFormat | undefined {
  if (doc.length === 0) return 'empty';
  const first = doc[0];
  if (!isObj(first)) return undefined;
  if ('tree' in first || ('hostname' in first && 'paths' in first && 'time' in first)) return 'restic-snapshots';
  if ('backup' in first && 'name' in first) return 'pgbackrest-info';
  if (awsDocumentKind(first)) return 'aws-backup-events';
  return undefined;
}

function firstLine(text: string): string {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    if (line.trim() !== '') return line;
    start = end + 1;
  }
  return '';
}

function parseFirstLine(text: string): unknown {
  try {
    return JSON.parse(firstLine(text));
  } catch {
    return undefined;
  }
}

/**
 * The documents of a file holding several JSON documents whose first is an AWS one (NDJSON events,
 * appended CLI pages), each parsed; undefined when the file is not that (the caller reports the
 * syntax error). A document that does not parse is a problem at its line.
 */
function awsDocuments(text: string, fileName: string, limits: IngestLimits): AwsDocument[] | undefined {
  const { ranges, more } = splitJsonDocuments(text, limits.maxJobs);
  if (!ranges || ranges.length < 2) return undefined;
  const parse = (r: (typeof ranges)[number]): AwsDocument | undefined => {
    const docText = text.slice(r.start, r.end);
    try {
      return { value: JSON.parse(docText), text: docText, line: r.line };
    } catch {
      return undefined;
    }
  };
  const first = parse(ranges[0] as (typeof ranges)[number]);
  if (!first || !awsDocumentKind(first.value)) return undefined;
  if (more) checkRecordCount(limits.maxJobs + 1, fileName, '', limits);
  const problems = new ProblemList(fileName, undefined, 0, limits.maxProblems);
  const docs: AwsDocument[] = [first];
  for (const r of ranges.slice(1)) {
    const doc = parse(r);
    if (doc) docs.push(doc);
    else problems.add([], 'not valid JSON: expected one more AWS document (an event or a page of CLI output)', r);
  }
  problems.throwIfAny();
  return docs;
}

function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Parses one job report, auto-detecting its format (see docs/job-reports.md). */
export function parseJobReport(input: string, ctx: ReportContext): ParsedJobReport {
  const limits = ctx.limits ?? DEFAULT_INGEST_LIMITS;
  checkReportSize(input, ctx.fileName, limits);
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (text.trim() === '') invalidReport(ctx.fileName, `report is empty: ${EXPECTED}`);
  // Before any parser: nothing legitimate nests this deep, and the rejection must stay one short line.
  const deep = findDeepNesting(text, MAX_NESTING_DEPTH);
  if (deep)
    invalidReport(
      ctx.fileName,
      `nested more than ${MAX_NESTING_DEPTH} levels deep (arrays and objects inside each other): no job report nests like this`,
      deep,
    );
  const aws = {
    tenantId: ctx.tenantId,
    fileName: ctx.fileName,
    receivedAt: ctx.receivedAt,
    resourceArn: ctx.resourceArn,
  };
  const sub = {
    tenantId: ctx.tenantId,
    fileName: ctx.fileName,
    receivedAt: ctx.receivedAt,
    repository: ctx.repository,
  };

  let doc: unknown;
  let syntaxError: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    syntaxError = e;
  }

  if (syntaxError === undefined) {
    if (Array.isArray(doc)) {
      const format = classifyArray(doc);
      if (format === 'empty') return { format, batch: emptyBatch() };
      if (format === 'restic-snapshots') return { format, batch: parseResticSnapshots(doc, text, sub, limits) };
      if (format === 'pgbackrest-info') return { format, batch: parsePgBackRestInfo(doc, text, sub, limits) };
      if (format === 'aws-backup-events')
        return fromAws(parseAwsBackupDocuments([{ value: doc, text, line: 1 }], aws, limits));
      return invalidReport(
        ctx.fileName,
        'unrecognised JSON array: expected `restic snapshots --json` (objects with id, time, hostname, paths), `pgbackrest info --output=json` (objects with name, backup) or AWS Backup EventBridge events',
        { line: 1, column: 1 },
      );
    }
    if (isObj(doc)) {
      if ('reversaJobReport' in doc) {
        if (doc.tool === 'restic-backup' && 'output' in doc) {
          return { format: 'restic-backup', batch: parseResticBackupWrapper(doc, text, sub, limits) };
        }
        return { format: 'generic', batch: parseGenericReport(doc, text, sub, limits) };
      }
      if ('message_type' in doc)
        return { format: 'restic-backup', batch: parseResticBackupOutput([text], sub, undefined, limits) };
      if (awsDocumentKind(doc)) return fromAws(parseAwsBackupDocuments([{ value: doc, text, line: 1 }], aws, limits));
    }
    return invalidReport(
      ctx.fileName,
      'unrecognised JSON document: expected a Reversa job report ({"reversaJobReport":1,...}), restic or pgBackRest JSON output, an AWS Backup EventBridge event, `aws logs filter-log-events` or `aws backup list-*` output',
      { line: 1, column: 1 },
    );
  }

  // Not one JSON document: maybe NDJSON (generic jobs, or restic backup --json progress + summary).
  // Only the first non-blank line is parsed to decide; the job-count limit is checked on a
  // line count before anything is split.
  const first = parseFirstLine(text);
  if (isObj(first) && 'reversaJobReport' in first) {
    checkRecordCount(countLines(text) - 1, ctx.fileName, '', limits);
    return { format: 'generic-ndjson', batch: parseGenericNdjson(text.split('\n'), sub, limits) };
  }
  if (isObj(first) && 'message_type' in first) {
    return { format: 'restic-backup', batch: parseResticBackupOutput(text.split('\n'), sub, undefined, limits) };
  }
  // AWS files that are not one JSON document: a CloudWatch Logs export, or documents back to back.
  if (isLogExportLine(firstLine(text))) {
    checkRecordCount(countLines(text), ctx.fileName, '', limits);
    return fromAws(parseLogExport(text, aws, limits));
  }
  const several = awsDocuments(text, ctx.fileName, limits);
  if (several) return fromAws(parseAwsBackupDocuments(several, aws, limits));
  const p = jsonSyntaxProblem(text, syntaxError);
  return invalidReport(ctx.fileName, p.message, p.at);
}
