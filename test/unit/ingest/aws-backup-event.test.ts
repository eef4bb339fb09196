import { describe, expect, it } from 'vitest';
import { normaliseBackupEvent, tenantOfBackupEvent } from '#core/ingest/aws-backup-event.ts';
import { finaliseBatch } from '#core/ingest/batch.ts';
import { fixtureJson } from './helpers.ts';

const RECEIVED = Date.parse('2026-03-05T00:00:00Z');
const ev = (name: string) => fixtureJson(`aws-backup/${name}.json`);

describe('normaliseBackupEvent', () => {
  it('turns a COMPLETED backup job event into a job, its recovery point (from resources) and the resource', () => {
    const out = normaliseBackupEvent(ev('backup-job-completed'), 'acme', RECEIVED);

    expect(out.ignored).toBeUndefined();
    expect(out.jobs).toEqual([
      {
        tenantId: 'acme',
        source: 'aws-backup',
        kind: 'backup',
        jobId: 'a827233a-d405-4a86-a440-759fa94f34dd',
        resourceId: 'arn:aws:dynamodb:eu-west-3:111122223333:table/orders',
        resourceType: 'DynamoDB',
        state: 'COMPLETED',
        startedAt: Date.parse('2026-03-02T02:40:31.207Z'),
        completedAt: Date.parse('2026-03-02T02:41:05.921Z'),
        sizeBytes: 36048,
        recoveryPointId: 'arn:aws:backup:eu-west-3:111122223333:recovery-point:f1d966fe-a3bd-410b-b292-99f442d13b56',
        location: 'acme-daily',
        region: 'eu-west-3',
        accountId: '111122223333',
        observedAt: Date.parse('2026-03-02T02:41:17Z'),
      },
    ]);
    expect(out.recoveryPoints).toHaveLength(1);
    expect(out.recoveryPoints[0]).toMatchObject({ status: 'AVAILABLE', location: 'acme-daily', sizeBytes: 36048 });
    expect(out.resources).toEqual([
      {
        tenantId: 'acme',
        source: 'aws-backup',
        resourceId: 'arn:aws:dynamodb:eu-west-3:111122223333:table/orders',
        resourceType: 'DynamoDB',
        firstSeenAt: Date.parse('2026-03-02T02:41:17Z'),
        lastSeenAt: Date.parse('2026-03-02T02:41:17Z'),
      },
    ]);
  });

  it('dates a point inferred from a job before any direct observation, so a Recovery Point event always wins', () => {
    const fromJob = normaliseBackupEvent(ev('backup-job-completed'), 'acme', RECEIVED).recoveryPoints[0]!;
    expect(fromJob.observedAt).toBe(fromJob.createdAt);
  });

  it('keeps the status message of a failed job and produces no recovery point', () => {
    const out = normaliseBackupEvent(ev('backup-job-failed'), 'acme', RECEIVED);

    expect(out.jobs[0]).toMatchObject({
      state: 'FAILED',
      statusMessage: expect.stringContaining('KMS key is disabled'),
    });
    expect(out.jobs[0]!.completedAt).toBeUndefined();
    expect(out.recoveryPoints).toEqual([]);
  });

  it('ignores a CREATED event that names no resource yet, with a typed reason', () => {
    const out = normaliseBackupEvent(ev('backup-job-created'), 'acme', RECEIVED);

    expect(out.ignored?.reason).toBe('incomplete');
    expect(out.jobs).toEqual([]);
  });

  it('maps a cross-region, cross-account copy to the destination vault with copyOf on the new point', () => {
    const out = normaliseBackupEvent(ev('copy-job-completed'), 'acme', RECEIVED);

    expect(out.jobs[0]).toMatchObject({
      kind: 'copy',
      jobId: '0175DE71-5784-589F-D8AC-541ACCB4CAC8',
      state: 'COMPLETED',
      recoveryPointId: 'arn:aws:ec2:eu-central-1::snapshot/snap-0726fe70935586180',
      sourceRecoveryPointId: 'arn:aws:ec2:eu-west-3::snapshot/snap-03886bc8d6ef3a1f9',
      location: 'acme-offsite',
      region: 'eu-central-1',
      accountId: '444455556666',
      sizeBytes: 3221225472,
    });
    expect(out.recoveryPoints[0]).toMatchObject({
      recoveryPointId: 'arn:aws:ec2:eu-central-1::snapshot/snap-0726fe70935586180',
      copyOf: 'arn:aws:ec2:eu-west-3::snapshot/snap-03886bc8d6ef3a1f9',
      location: 'acme-offsite',
      region: 'eu-central-1',
      accountId: '444455556666',
    });
  });

  it('reads a failed copy whose destinationRecoveryPointArn is {} without inventing a point', () => {
    const out = normaliseBackupEvent(ev('copy-job-failed'), 'acme', RECEIVED);

    expect(out.jobs[0]).toMatchObject({ state: 'FAILED', kind: 'copy' });
    expect(out.jobs[0]!.recoveryPointId).toBeUndefined();
    expect(out.recoveryPoints).toEqual([]);
  });

  it('maps a recovery point event: string isEncrypted, lifecycle deleteAt, vault, COMPLETED → AVAILABLE', () => {
    const out = normaliseBackupEvent(ev('recovery-point-completed'), 'acme', RECEIVED);

    expect(out.recoveryPoints).toEqual([
      {
        tenantId: 'acme',
        source: 'aws-backup',
        recoveryPointId:
          'arn:aws:rds:eu-west-3:111122223333:cluster-snapshot:awsbackup:job-4ece7121-d60e-00c2-5c3b-49960142d03b',
        resourceId: 'arn:aws:rds:eu-west-3:111122223333:cluster:billing',
        resourceType: 'Aurora',
        status: 'AVAILABLE',
        createdAt: Date.parse('2026-03-02T02:38:31.152Z'),
        encrypted: true,
        location: 'acme-daily',
        region: 'eu-west-3',
        accountId: '111122223333',
        deleteAt: Date.parse('2026-04-06T02:38:31.152Z'),
        observedAt: Date.parse('2026-03-02T02:41:07Z'),
      },
    ]);
  });

  it('computes deleteAt from lifecycle.deleteAfterDays when no calculated lifecycle is given', () => {
    const e = structuredClone(ev('recovery-point-completed')) as { detail: Record<string, unknown> };
    delete e.detail.calculatedLifeCycle;

    const rp = normaliseBackupEvent(e, 'acme', RECEIVED).recoveryPoints[0]!;

    expect(rp.deleteAt).toBe(Date.parse('2026-03-02T02:38:31.152Z') + 35 * 86_400_000);
  });

  it('ignores restore job, vault and non-backup events without throwing', () => {
    expect(normaliseBackupEvent(ev('restore-job-completed'), 'acme', RECEIVED).ignored?.reason).toBe(
      'unsupported-detail-type',
    );
    expect(normaliseBackupEvent({ source: 'aws.ec2', 'detail-type': 'x' }, 'acme', RECEIVED).ignored?.reason).toBe(
      'not-aws-backup',
    );
    expect(normaliseBackupEvent('nonsense', 'acme', RECEIVED).ignored?.reason).toBe('not-aws-backup');
  });

  it('flags an unknown state or an unparsable date as malformed instead of guessing', () => {
    const badState = structuredClone(ev('backup-job-completed')) as { detail: Record<string, unknown> };
    badState.detail.state = 'DONE';
    const badDate = structuredClone(ev('backup-job-completed')) as { detail: Record<string, unknown> };
    badDate.detail.creationDate = 'yesterday';

    expect(normaliseBackupEvent(badState, 'acme', RECEIVED).ignored?.reason).toBe('malformed');
    expect(normaliseBackupEvent(badDate, 'acme', RECEIVED).ignored?.reason).toBe('malformed');
  });

  it('uses receivedAt as observation time only when the event has no usable time', () => {
    const e = structuredClone(ev('backup-job-failed')) as Record<string, unknown>;
    delete e.time;

    expect(normaliseBackupEvent(e, 'acme', RECEIVED).jobs[0]!.observedAt).toBe(RECEIVED);
  });

  it('gives the same batch for the same events in any order or repeated', () => {
    const events = ['backup-job-running', 'backup-job-completed', 'recovery-point-completed', 'copy-job-completed'].map(
      ev,
    );
    const merge = (list: unknown[]) => {
      const parts = list.map((e) => normaliseBackupEvent(e, 'acme', RECEIVED));
      return finaliseBatch({
        jobs: parts.flatMap((p) => p.jobs),
        recoveryPoints: parts.flatMap((p) => p.recoveryPoints),
        resources: parts.flatMap((p) => p.resources),
      });
    };

    const forward = merge(events);
    const backward = merge([...events].reverse().concat(events));

    expect(backward).toEqual(forward);
    expect(forward.jobs.find((j) => j.jobId === 'a827233a-d405-4a86-a440-759fa94f34dd')?.state).toBe('COMPLETED');
  });
});

describe('tenantOfBackupEvent', () => {
  it('routes an event to the tenant owning its account, and nowhere when the account is unknown', () => {
    const map = new Map([['111122223333', 'acme']]);

    expect(tenantOfBackupEvent(ev('backup-job-completed'), map)).toBe('acme');
    expect(tenantOfBackupEvent({ account: '999999999999' }, map)).toBeUndefined();
    expect(tenantOfBackupEvent(null, map)).toBeUndefined();
  });
});

describe('hostile detail-types', () => {
  it('ignores an event whose detail-type is an object without a prototype instead of crashing', () => {
    const event = { source: 'aws.backup', 'detail-type': Object.create(null), detail: {} };

    const result = normaliseBackupEvent(event, 'acme', 0);

    expect(result.ignored).toEqual({
      reason: 'unsupported-detail-type',
      detail: 'detail-type of type object carries no backup facts',
    });
    expect(result.jobs).toEqual([]);
  });
});
