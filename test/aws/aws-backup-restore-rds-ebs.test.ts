/**
 * The aws-backup runner's RDS and EBS ports (adapters/aws/rds-sandbox.ts, ec2-volumes.ts: the clients the
 * restore-test Lambdas bundle) against moto: an instance and a volume stand for what AWS Backup restored next to
 * their source. The runner reads the restored copy back (DescribeDBInstances: status and endpoint; DescribeVolumes:
 * state, size, encryption) and compares it with the source, tags a restored volume with the sandbox marker, and
 * deletes only what carries the marker. AWS Backup itself (DescribeRestoreJob, PutRestoreValidationResult) is not in
 * moto: its answers come from aws-sdk-client-mock on the Backup client alone.
 */
import { BackupClient, DescribeRestoreJobCommand, PutRestoreValidationResultCommand } from '@aws-sdk/client-backup';
import { CreateVolumeCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { type AwsBackupRestoreClients, cleanupAwsBackupRestore } from '#adapters/aws/aws-backup-restore.ts';
import { awsBackupRunner } from '#adapters/aws/aws-backup-runner.ts';
import { sdkEc2Volumes } from '#adapters/aws/ec2-volumes.ts';
import { sdkRdsSandbox } from '#adapters/aws/rds-sandbox.ts';
import { SANDBOX_TAG, sandboxMarker, sandboxName } from '#core/restore/aws-backup.ts';
import { restoreTestId, testSeed } from '#core/restore/ids.ts';
import { MOTO_ACCOUNT_ID, MOTO_REGION, uniqueName } from './support.ts';

const rdsClient = new RDSClient({});
const ec2Client = new EC2Client({});

/** AWS Backup answers from a mock (moto lacks it); RDS and EC2 reach moto. */
function runnerWith(restoreJob: Record<string, unknown> = {}) {
  const backup = new BackupClient({});
  const mocked = mockClient(backup);
  mocked.on(DescribeRestoreJobCommand).resolves(restoreJob);
  mocked.on(PutRestoreValidationResultCommand).resolves({});
  let t = Date.parse('2026-05-01T03:00:00Z');
  const clients: AwsBackupRestoreClients = {
    backup,
    rds: sdkRdsSandbox(rdsClient),
    ec2: sdkEc2Volumes(ec2Client),
    now: () => (t += 1_000),
    delay: async () => {},
  };
  return {
    runner: awsBackupRunner({ clients, restoreRoleArn: 'arn:aws:iam::123456789012:role/restore' }),
    clients,
    mocked,
  };
}

function testOf(label: string) {
  const identity = { tenantId: 'acme', resourceId: uniqueName(label), scheduledAt: Date.parse('2026-05-01T03:00:00Z') };
  const testId = restoreTestId(identity);
  return { testId, seed: testSeed(identity), sandbox: sandboxName(testId) };
}

async function dbInstance(id: string, encrypted: boolean): Promise<string> {
  await rdsClient.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: id,
      Engine: 'postgres',
      DBInstanceClass: 'db.t4g.micro',
      AllocatedStorage: 20,
      MasterUsername: 'reversa',
      MasterUserPassword: 'not-a-secret-moto-only',
      StorageEncrypted: encrypted,
    }),
  );
  return `arn:aws:rds:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:db:${id}`;
}

async function volume(encrypted: boolean): Promise<string> {
  const out = await ec2Client.send(
    new CreateVolumeCommand({ AvailabilityZone: `${MOTO_REGION}a`, Size: 8, Encrypted: encrypted }),
  );
  return `arn:aws:ec2:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:volume/${out.VolumeId}`;
}

const validateInput = (t: ReturnType<typeof testOf>, resourceType: string, source: string, restored: string) => ({
  tenantId: 'acme',
  resourceId: source,
  restoreJobId: 'job-1',
  createdResourceArn: restored,
  validators: [],
  validatorsDeclared: false,
  testId: t.testId,
  resourceType,
  sample: 'all' as const,
  seed: t.seed,
});

describe('aws-backup restore validation and clean-up of an RDS instance on moto', () => {
  it('finds the restored instance available at its endpoint with the source engine and encryption, then deletes it', async () => {
    const t = testOf('orders-db');
    const source = await dbInstance(uniqueName('orders'), true);
    const restored = await dbInstance(t.sandbox, true);
    const { runner, mocked } = runnerWith();

    const { checks } = await runner.validate(validateInput(t, 'RDS', source, restored));
    const removed = await runner.cleanup({
      restoreJobId: 'job-1',
      createdResourceArn: restored,
      testId: t.testId,
      resourceType: 'RDS',
    });
    const after = await sdkRdsSandbox(rdsClient).describeDbInstance(t.sandbox);

    expect(checks).toMatchObject([{ name: 'instance-available', status: 'PASSED', counts: { matched: 1 } }]);
    expect(checks[0]?.message).toMatch(
      new RegExp(
        `^instance ${t.sandbox} is available at ${t.sandbox}\\.\\S+\\.rds\\.amazonaws\\.com:5432 \\(postgres, 20 GiB, encrypted\\)$`,
      ),
    );
    expect(mocked.commandCalls(PutRestoreValidationResultCommand)[0]?.args[0].input).toMatchObject({
      RestoreJobId: 'job-1',
      ValidationStatus: 'SUCCESSFUL',
    });
    expect(removed).toEqual({ removed: 1, remaining: 0 });
    expect(after).toBeUndefined();
  });

  it('fails a restored instance that lost the source encryption, and refuses to delete the source', async () => {
    const t = testOf('ledger-db');
    const sourceId = uniqueName('ledger');
    const source = await dbInstance(sourceId, true);
    const restored = await dbInstance(t.sandbox, false);
    const { runner, clients } = runnerWith();

    const { checks } = await runner.validate(validateInput(t, 'RDS', source, restored));
    const refused = await cleanupAwsBackupRestore(clients, {
      resourceType: 'RDS',
      createdResourceArn: source,
      testId: t.testId,
    });

    expect(checks).toMatchObject([
      { name: 'instance-available', status: 'FAILED', message: 'not encrypted, the source is' },
    ]);
    expect(refused).toMatchObject({ result: 'FAILED', removed: 0 });
    expect(refused.message).toContain(`refused to delete: ${sourceId} does not carry the sandbox marker`);
    expect(await sdkRdsSandbox(rdsClient).describeDbInstance(sourceId)).toMatchObject({ status: 'available' });
  });

  it('fails when nothing was restored', async () => {
    const t = testOf('gone-db');
    const { runner } = runnerWith();
    const missing = `arn:aws:rds:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:db:${t.sandbox}`;

    const { checks } = await runner.validate(validateInput(t, 'RDS', missing, missing));

    expect(checks).toMatchObject([
      {
        name: 'instance-available',
        status: 'FAILED',
        message: `instance ${t.sandbox} not found: nothing was restored`,
      },
    ]);
  });
});

describe('aws-backup restore validation and clean-up of an EBS volume on moto', () => {
  it('tags the restored volume when the job completes, finds it available and encrypted like its source, then deletes it', async () => {
    const t = testOf('web-data');
    const source = await volume(true);
    const restored = await volume(true);
    const volumeId = restored.split('/').pop() as string;
    const { runner } = runnerWith({ Status: 'COMPLETED', ResourceType: 'EBS', CreatedResourceArn: restored });

    const state = await runner.describe('job-2', { testId: t.testId });
    const tagged = await sdkEc2Volumes(ec2Client).describeVolume(volumeId);
    const { checks } = await runner.validate(validateInput(t, 'EBS', source, restored));
    const removed = await runner.cleanup({
      restoreJobId: 'job-2',
      createdResourceArn: restored,
      testId: t.testId,
      resourceType: 'EBS',
    });

    expect(state).toMatchObject({ status: 'COMPLETED', createdResourceArn: restored });
    expect(tagged?.tags[SANDBOX_TAG]).toBe(sandboxMarker(t.testId));
    expect(checks).toEqual([
      expect.objectContaining({
        name: 'volume-available',
        status: 'PASSED',
        message: `volume ${volumeId} is available (8 GiB, encrypted)`,
      }),
    ]);
    expect(removed).toEqual({ removed: 1, remaining: 0 });
    expect(await sdkEc2Volumes(ec2Client).describeVolume(volumeId)).toBeUndefined();
  });

  it('fails an unencrypted copy of an encrypted volume, and never deletes a volume without the marker', async () => {
    const t = testOf('db-data');
    const source = await volume(true);
    const restored = await volume(false);
    const { runner, clients } = runnerWith();

    const { checks } = await runner.validate(validateInput(t, 'EBS', source, restored));
    const refused = await cleanupAwsBackupRestore(clients, {
      resourceType: 'EBS',
      createdResourceArn: restored,
      testId: t.testId,
    });

    expect(checks).toMatchObject([
      { name: 'volume-available', status: 'FAILED', message: 'not encrypted, the source is' },
    ]);
    expect(refused).toMatchObject({ result: 'FAILED', removed: 0 });
    expect(refused.message).toContain(`does not carry the tag ${SANDBOX_TAG}=${sandboxMarker(t.testId)}`);
    expect(await sdkEc2Volumes(ec2Client).describeVolume(restored.split('/').pop() as string)).toMatchObject({
      state: 'available',
    });
  });
});
