/**
 * Demo AWS Backup history for tenant acme, as the EventBridge events AWS Backup would have sent
 * (same shapes as test/fixtures/aws-backup), relative to `now`, with deliberate violations:
 * the orders database stopped being backed up 3 hours ago, the customers table's recent points
 * are deleted after 7 days instead of 35, one EBS volume fails every night, and an EFS file
 * system nobody declared is backed up (drift).
 */
import { createHash } from 'node:crypto';

const ACCOUNT = '111122223333';
const OFFSITE_ACCOUNT = ACCOUNT;
const REGION = 'eu-west-3';
const COPY_REGION = 'eu-central-1';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const DEMO_VAULTS = [
  { vaultName: 'acme-vault', accountId: ACCOUNT, region: REGION, locked: true, minRetentionDays: 30 },
  { vaultName: 'acme-copies', accountId: OFFSITE_ACCOUNT, region: COPY_REGION, locked: true, minRetentionDays: 30 },
];

type Event = Record<string, unknown>;

/** Deterministic UUID-shaped ids, so running the demo twice yields the same jobs. */
function uuid(...parts: Array<string | number>): string {
  const h = createHash('sha256').update(parts.join('|')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

function envelope(detailType: string, time: number, region: string, detail: Record<string, unknown>): Event {
  return {
    version: '0',
    id: uuid(detailType, JSON.stringify(detail)),
    'detail-type': detailType,
    source: 'aws.backup',
    account: ACCOUNT,
    time: iso(time),
    region,
    resources: [],
    detail,
  };
}

interface Run {
  resourceArn: string;
  resourceType: string;
  start: number;
  minutes: number;
  sizeBytes: number;
  state: 'COMPLETED' | 'FAILED';
  deleteAfterDays: number;
  copy: boolean;
}

function eventsOfRun(r: Run): Event[] {
  const vaultArn = `arn:aws:backup:${REGION}:${ACCOUNT}:backup-vault:acme-vault`;
  const rpArn = `arn:aws:backup:${REGION}:${ACCOUNT}:recovery-point:${uuid('rp', r.resourceArn, r.start)}`;
  const end = r.start + r.minutes * 60_000;
  const jobId = uuid('job', r.resourceArn, r.start);
  const job: Record<string, unknown> = {
    backupJobId: jobId,
    backupVaultArn: vaultArn,
    backupVaultName: 'acme-vault',
    creationDate: iso(r.start),
    resourceArn: r.resourceArn,
    resourceType: r.resourceType,
    state: r.state,
    startBy: iso(r.start + 8 * HOUR),
    percentDone: r.state === 'COMPLETED' ? 100 : 0,
    retryCount: 0,
  };
  if (r.state === 'FAILED') {
    job.statusMessage = 'Backup job failed because the volume is not in the available or in-use state';
    job.completionDate = iso(end);
    return [envelope('Backup Job State Change', end, REGION, job)];
  }
  Object.assign(job, { completionDate: iso(end), backupSizeInBytes: String(r.sizeBytes), recoveryPointArn: rpArn });
  const events = [
    envelope('Backup Job State Change', end, REGION, job),
    envelope('Recovery Point State Change', end + 5_000, REGION, {
      backupVaultName: 'acme-vault',
      backupVaultArn: vaultArn,
      creationDate: iso(r.start),
      resourceType: r.resourceType,
      resourceArn: r.resourceArn,
      recoveryPointArn: rpArn,
      status: 'COMPLETED',
      isEncrypted: 'true',
      storageClass: 'WARM',
      completionDate: iso(end),
      backupSizeInBytes: String(r.sizeBytes),
      lifecycle: { deleteAfterDays: r.deleteAfterDays },
      calculatedLifeCycle: { deleteAt: iso(r.start + r.deleteAfterDays * DAY) },
    }),
  ];
  if (r.copy) {
    const copyArn = `arn:aws:backup:${COPY_REGION}:${OFFSITE_ACCOUNT}:recovery-point:${uuid('copy', rpArn)}`;
    const copyStart = end + 60_000;
    const copyEnd = copyStart + 10 * 60_000;
    events.push(
      envelope('Copy Job State Change', copyEnd, REGION, {
        copyJobId: uuid('copyjob', rpArn),
        backupSizeInBytes: r.sizeBytes,
        creationDate: iso(copyStart),
        resourceArn: r.resourceArn,
        resourceType: r.resourceType,
        sourceBackupVaultArn: vaultArn,
        sourceRecoveryPointArn: rpArn,
        state: 'COMPLETED',
        completionDate: iso(copyEnd),
        destinationBackupVaultArn: `arn:aws:backup:${COPY_REGION}:${OFFSITE_ACCOUNT}:backup-vault:acme-copies`,
        destinationRecoveryPointArn: copyArn,
      }),
      // The destination region reports the copy's own recovery point (encryption, lifecycle).
      {
        ...envelope('Recovery Point State Change', copyEnd + 5_000, COPY_REGION, {
          backupVaultName: 'acme-copies',
          backupVaultArn: `arn:aws:backup:${COPY_REGION}:${OFFSITE_ACCOUNT}:backup-vault:acme-copies`,
          creationDate: iso(copyEnd),
          resourceType: r.resourceType,
          resourceArn: r.resourceArn,
          recoveryPointArn: copyArn,
          status: 'COMPLETED',
          isEncrypted: 'true',
          storageClass: 'WARM',
          completionDate: iso(copyEnd),
          lifecycle: { deleteAfterDays: r.deleteAfterDays },
          calculatedLifeCycle: { deleteAt: iso(copyEnd + r.deleteAfterDays * DAY) },
        }),
        account: OFFSITE_ACCOUNT,
      },
    );
  }
  return events;
}

/** Wall-clock 02:00 in Paris on the n-th day before `now` (the demo's nightly backup window). */
function nightly(now: number, daysAgo: number, hourUtc = 1): number {
  const d = new Date(now - daysAgo * DAY);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), hourUtc, 0, 0);
}

export function demoAwsBackupEvents(now: number): Event[] {
  const events: Event[] = [];
  const topOfHour = Math.floor(now / HOUR) * HOUR;

  // Orders database: hourly with a copy to Frankfurt, for 36 days — until 3 hours ago.
  const orders = `arn:aws:rds:${REGION}:${ACCOUNT}:db:orders`;
  for (let t = topOfHour - 36 * DAY; t <= topOfHour - 3 * HOUR; t += HOUR) {
    events.push(
      ...eventsOfRun({
        resourceArn: orders,
        resourceType: 'RDS',
        start: t,
        minutes: 6,
        sizeBytes: 8.4e9 + ((t / HOUR) % 7) * 1e7,
        state: 'COMPLETED',
        deleteAfterDays: 35,
        copy: true,
      }),
    );
  }

  for (let day = 40; day >= 0; day--) {
    const start = nightly(now, day);
    if (start > now - 30 * 60_000) continue; // tonight's run has not happened yet
    // Customers table: nightly; someone shortened the lifecycle to 7 days for the last 5 points.
    events.push(
      ...eventsOfRun({
        resourceArn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/customers`,
        resourceType: 'DynamoDB',
        start,
        minutes: 3,
        sizeBytes: 2.1e9 + day * 1e6,
        state: 'COMPLETED',
        deleteAfterDays: day < 5 ? 7 : 35,
        copy: false,
      }),
    );
    // EBS: vol-0a is healthy; vol-0b fails every night since 3 days; the scratch volume is excluded.
    const vol = (id: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:volume/${id}`;
    events.push(
      ...eventsOfRun({
        resourceArn: vol('vol-0a1b2c3d4e5f60001'),
        resourceType: 'EBS',
        start: start + 10 * 60_000,
        minutes: 12,
        sizeBytes: 5.4e10,
        state: 'COMPLETED',
        deleteAfterDays: 14,
        copy: false,
      }),
      ...eventsOfRun({
        resourceArn: vol('vol-0a1b2c3d4e5f60002'),
        resourceType: 'EBS',
        start: start + 20 * 60_000,
        minutes: 15,
        sizeBytes: 1.2e11,
        state: day < 3 ? 'FAILED' : 'COMPLETED',
        deleteAfterDays: 14,
        copy: false,
      }),
      ...eventsOfRun({
        resourceArn: vol('vol-0scratch0000000001'),
        resourceType: 'EBS',
        start: start + 30 * 60_000,
        minutes: 5,
        sizeBytes: 2e10,
        state: 'COMPLETED',
        deleteAfterDays: 7,
        copy: false,
      }),
      // An EFS file system someone added to the backup plan but not to the strategy: drift.
      ...eventsOfRun({
        resourceArn: `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:file-system/fs-0c0ffee0000000001`,
        resourceType: 'EFS',
        start: start + 40 * 60_000,
        minutes: 20,
        sizeBytes: 3.3e11,
        state: 'COMPLETED',
        deleteAfterDays: 35,
        copy: false,
      }),
    );
  }
  return events;
}
