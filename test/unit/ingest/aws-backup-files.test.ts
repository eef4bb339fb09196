/**
 * AWS files through the job-report parser (issue 11 §1): EventBridge events in every form a rule's
 * target leaves them, and the AWS CLI listings, auto-detected, mapped by the same code as the
 * backup-event Lambda and the reconciler. Fixtures: test/fixtures/aws-backup/README.md.
 */
import { describe, expect, it } from 'vitest';
import { normaliseBackupEvent } from '#core/ingest/aws-backup-event.ts';
import { finaliseBatch } from '#core/ingest/batch.ts';
import { parseJobReport } from '#core/ingest/detect.ts';
import type { BackupJob, FactBatch } from '#core/model.ts';
import { fixture, fixtureJson, validationErrorOf } from './helpers.ts';

const RECEIVED = Date.parse('2026-03-05T00:00:00Z');
const TABLE = 'arn:aws:dynamodb:eu-west-3:111122223333:table/orders';
const ctx = { tenantId: 'acme', fileName: 'aws.json', receivedAt: RECEIVED };
const parse = (text: string, extra: { resourceArn?: string; limits?: never } = {}) =>
  parseJobReport(text, { ...ctx, ...extra });
const aws = (name: string) => fixture(`aws-backup/${name}`);
const event = (name: string) => fixtureJson(`aws-backup/${name}.json`) as Record<string, unknown>;
const problemsOf = (text: string, extra: { resourceArn?: string } = {}) =>
  validationErrorOf(() => parse(text, extra)).problems;

const EVENTS = [
  'backup-job-created',
  'backup-job-running',
  'backup-job-completed',
  'recovery-point-completed',
  'copy-job-completed',
  'backup-job-failed',
  'restore-job-completed',
];
/** What the backup-event Lambda stores for the same events, one by one. */
function lambdaBatch(): FactBatch {
  const parts = EVENTS.map((name) => normaliseBackupEvent(event(name), 'acme', RECEIVED));
  return finaliseBatch({
    jobs: parts.flatMap((p) => p.jobs),
    recoveryPoints: parts.flatMap((p) => p.recoveryPoints),
    resources: parts.flatMap((p) => p.resources),
  });
}

const withoutObservation = ({ observedAt: _o, ...rest }: BackupJob) => rest;

describe('EventBridge events in a file', () => {
  it.each([
    ['NDJSON, one event per line', () => aws('events.ndjson'), 'aws-backup-events'],
    ['a JSON array', () => JSON.stringify(EVENTS.map(event), null, 2), 'aws-backup-events'],
    ['pretty-printed events back to back', () => EVENTS.map((n) => aws(`${n}.json`)).join(''), 'aws-backup-events'],
    [
      'a Firehose delivery (`}{`, no separator)',
      () => EVENTS.map((n) => JSON.stringify(event(n))).join(''),
      'aws-backup-events',
    ],
    ['`aws logs filter-log-events` output', () => aws('filter-log-events.json'), 'cloudwatch-logs'],
    ['a CloudWatch Logs export to S3', () => aws('cloudwatch-logs-export.txt'), 'cloudwatch-logs'],
    ['CRLF line ends', () => aws('cloudwatch-logs-export.txt').replaceAll('\n', '\r\n'), 'cloudwatch-logs'],
  ])('become exactly the facts the Lambda stores for the same events (%s)', (_form, text, format) => {
    const parsed = parse(text());

    expect(parsed.format).toBe(format);
    expect(parsed.batch).toEqual(lambdaBatch());
    // The CREATED event (no resource yet) and the restore job event carry no backup facts.
    expect(parsed.aws).toEqual({ accounts: [expect.objectContaining({ accountId: '111122223333' })], ignored: 2 });
  });

  it('accepts one event as AWS documents it, and one replayed from an archive (`replay-name`)', () => {
    const replayed = { ...event('backup-job-completed'), 'replay-name': 'after-outage-2026-03-04' };

    expect(parse(aws('backup-job-completed.json')).batch.jobs).toHaveLength(1);
    expect(parse(JSON.stringify(replayed)).batch).toEqual(parse(aws('backup-job-completed.json')).batch);
  });

  it('refuses a malformed event, naming its line, and keeps none of the file', () => {
    const lines = aws('events.ndjson').split('\n');
    lines[3] = lines[3]!.replace('"status":"COMPLETED"', '"status":"SHINY"');

    expect(problemsOf(lines.join('\n'))).toEqual([
      expect.objectContaining({
        line: 4,
        message: expect.stringContaining('malformed AWS Backup event: detail.status'),
      }),
    ]);
  });

  it('refuses an EventBridge event from another service, naming its line', () => {
    const ec2 = {
      ...event('backup-job-completed'),
      source: 'aws.ec2',
      'detail-type': 'EC2 Instance State-change Notification',
    };
    const text = `${JSON.stringify(event('backup-job-completed'))}\n${JSON.stringify(ec2)}\n`;

    expect(problemsOf(text)).toEqual([
      expect.objectContaining({ line: 2, message: expect.stringContaining('source is not aws.backup') }),
    ]);
  });

  it('refuses an event without an account: it could not be routed to a tenant', () => {
    const { account: _a, ...anonymous } = event('backup-job-completed');

    expect(problemsOf(JSON.stringify(anonymous))).toEqual([
      expect.objectContaining({ path: 'account', message: expect.stringContaining('12-digit AWS account') }),
    ]);
  });

  it('refuses a log line whose message is not an event, naming the line', () => {
    const text = `${aws('cloudwatch-logs-export.txt')}2026-03-04T03:15:00.000Z START RequestId: 1b2c Version: $LATEST\n`;

    expect(problemsOf(text)).toEqual([
      expect.objectContaining({ line: 8, message: expect.stringContaining('expected `<timestamp> <event JSON>`') }),
    ]);
  });

  it('refuses a file with more events than maxJobs before reading them all', () => {
    const text = aws('events.ndjson');
    const limits = {
      maxReportBytes: 1 << 24,
      maxJobs: 3,
      maxIdLength: 2048,
      maxMessageLength: 4096,
      maxTags: 50,
      maxProblems: 100,
    };

    const error = validationErrorOf(() => parseJobReport(text, { ...ctx, limits }));

    expect(error.code).toBe('ReportTooLarge');
  });
});

describe('AWS CLI listings', () => {
  it('maps `list-backup-jobs` to the same job as its Backup Job State Change event, observation time aside', () => {
    const fromEvent = normaliseBackupEvent(event('backup-job-completed'), 'acme', RECEIVED).jobs[0]!;

    const listed = parse(aws('list-backup-jobs.json'));

    expect(listed.format).toBe('aws-backup-cli');
    const job = listed.batch.jobs.find((j) => j.jobId === fromEvent.jobId)!;
    expect(withoutObservation(job)).toEqual(withoutObservation(fromEvent));
    // A listing has no time of its own: a finished job is observed at its completion.
    expect(job.observedAt).toBe(fromEvent.completedAt);
  });

  it('reads several pages appended to one file, with epoch-second dates, as the same facts as one ISO-8601 page', () => {
    const pages = parse(aws('list-backup-jobs-pages.json'));

    expect(pages.batch).toEqual(parse(aws('list-backup-jobs.json')).batch);
    expect(pages.batch.jobs.map((j) => j.state).sort()).toEqual(['COMPLETED', 'FAILED']);
  });

  it('maps `list-copy-jobs` to the same copy as its Copy Job State Change event', () => {
    const fromEvent = normaliseBackupEvent(event('copy-job-completed'), 'acme', RECEIVED);

    const listed = parse(aws('list-copy-jobs.json'));

    expect(withoutObservation(listed.batch.jobs[0]!)).toEqual(withoutObservation(fromEvent.jobs[0]!));
    expect(listed.batch.recoveryPoints[0]).toMatchObject({
      recoveryPointId: 'arn:aws:ec2:eu-central-1::snapshot/snap-0726fe70935586180',
      copyOf: 'arn:aws:ec2:eu-west-3::snapshot/snap-03886bc8d6ef3a1f9',
      accountId: '444455556666',
      region: 'eu-central-1',
    });
    // Routed by the account that copies, not the offsite destination's.
    expect(listed.aws?.accounts.map((a) => a.accountId)).toEqual(['111122223333']);
  });

  it('maps `list-recovery-points-by-backup-vault` like the Recovery Point State Change event', () => {
    const fromEvent = normaliseBackupEvent(event('recovery-point-completed'), 'acme', RECEIVED).recoveryPoints[0]!;

    const listed = parse(aws('list-recovery-points-by-backup-vault.json'));

    const point = listed.batch.recoveryPoints.find((p) => p.recoveryPointId === fromEvent.recoveryPointId)!;
    const { observedAt: _a, sizeBytes: _s, encryptionKeyId: _k, ...same } = point;
    const { observedAt: _b, ...expected } = fromEvent;
    expect(same).toEqual(expected);
    expect(point.encryptionKeyId).toMatch(/^arn:aws:kms:/);
  });

  it('needs --resource-arn for `list-recovery-points-by-resource`, whose output does not name the resource', () => {
    const text = aws('list-recovery-points-by-resource.json');

    const problems = problemsOf(text);
    const listed = parse(text, { resourceArn: TABLE });

    expect(problems).toEqual([expect.objectContaining({ message: expect.stringContaining('--resource-arn') })]);
    expect(listed.batch.recoveryPoints.map((p) => p.resourceId)).toEqual([TABLE, TABLE]);
    expect(listed.batch.recoveryPoints.every((p) => p.encrypted === true)).toBe(true);
  });

  it('refuses a listing with an unreadable date, naming the field and its line', () => {
    const text = aws('list-backup-jobs.json').replace('"2026-03-03T02:13:07.392000+00:00"', '"yesterday"');

    expect(problemsOf(text)).toEqual([
      expect.objectContaining({
        path: 'BackupJobs[1].CreationDate',
        line: expect.any(Number),
        message: expect.stringContaining('epoch seconds'),
      }),
    ]);
  });

  it('refuses a page that is not JSON after a valid one, naming where it starts', () => {
    const text = `${aws('list-copy-jobs.json')}{"CopyJobs": [ oops ]}\n`;

    expect(problemsOf(text)).toEqual([expect.objectContaining({ message: expect.stringContaining('not valid JSON') })]);
  });

  it('reads an empty listing as a valid report with no facts', () => {
    expect(parse('{"BackupJobs": []}')).toMatchObject({ format: 'aws-backup-cli', batch: { jobs: [] } });
  });
});

describe('a job seen in an event and in a listing', () => {
  it('is one job in the batch, whichever comes first', () => {
    const both = `${aws('backup-job-completed.json')}\n${aws('list-backup-jobs.json')}`;
    const reversed = `${aws('list-backup-jobs.json')}\n${aws('backup-job-completed.json')}`;

    const a = parse(both).batch;
    const b = parse(reversed).batch;

    expect(a.jobs.filter((j) => j.jobId === 'a827233a-d405-4a86-a440-759fa94f34dd')).toHaveLength(1);
    expect(a).toEqual(b);
    expect(parse(both).format).toBe('aws-backup-mixed');
  });
});
