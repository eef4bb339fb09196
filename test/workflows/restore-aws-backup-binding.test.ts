import {
  BackupClient,
  DescribeRestoreJobCommand,
  GetRecoveryPointRestoreMetadataCommand,
  PutRestoreValidationResultCommand,
  StartRestoreJobCommand,
} from '@aws-sdk/client-backup';
import {
  DeleteTableCommand,
  DescribeBackupCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsBackupRunner } from '#adapters/aws/aws-backup-runner.ts';
import { localS3Client } from '#adapters/local/local-clients.ts';
import type { FactBatch } from '#core/model.ts';
import type { RestoreTestEvidence } from '#core/restore/evidence.ts';
import type { RecordOutput, RestoreTestInput } from '#core/use-cases/restore-test.ts';
import type { LocalCloud } from '#local/cloud.ts';
import { runRestoreTest } from '#local/restore-runner.ts';
import type { Adapters } from '#wiring/adapters.ts';
import { localRestoreTestDeps } from '#wiring/local/restore-test.ts';
import { type CloudFixture, startTestCloud, steppingClock } from '../support/local-cloud.ts';
import { restoreStrategy } from '../support/restore-fixtures.ts';
import { applyStrategy, HOUR } from '../support/verify-fixtures.ts';

// The aws-backup runner as functions/restore/deps.ts binds it, driven through the restore-test use case
// (the local workflow runner), with AWS Backup and DynamoDB answered by aws-sdk-client-mock.

const TENANT = 'rt-binding';
const ACCOUNT = '111122223333';
const TABLE = `arn:aws:dynamodb:eu-west-3:${ACCOUNT}:table/orders`;
const POINT = `arn:aws:dynamodb:eu-west-3:${ACCOUNT}:table/orders/backup/01700000000000-abcdef12`;
const VAULT = 'client-vault';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/ReversaWorkflows-RestoreRole`;
const AT = Date.parse('2026-03-10T03:00:00Z');

// Instances, not classes: the local cloud's own DynamoDB client must keep talking to the emulator.
const backupClient = new BackupClient({ region: 'eu-west-3' });
const dynamodbClient = new DynamoDBClient({ region: 'eu-west-3' });
const backup = mockClient(backupClient);
const dynamodb = mockClient(dynamodbClient);

let fixture: CloudFixture;
let cloud: LocalCloud;
let adapters: Adapters;
let slot = 0;

function awsBackupPoint(): FactBatch {
  return {
    jobs: [],
    recoveryPoints: [
      {
        tenantId: TENANT,
        source: 'aws-backup',
        recoveryPointId: POINT,
        resourceId: TABLE,
        resourceType: 'DynamoDB',
        status: 'AVAILABLE',
        createdAt: AT - HOUR,
        location: VAULT,
        accountId: ACCOUNT,
        region: 'eu-west-3',
        observedAt: AT - HOUR,
      },
    ],
    resources: [
      {
        tenantId: TENANT,
        source: 'aws-backup',
        resourceId: TABLE,
        resourceType: 'DynamoDB',
        firstSeenAt: AT - HOUR,
        lastSeenAt: AT - HOUR,
      },
    ],
  };
}

beforeAll(async () => {
  fixture = await startTestCloud({ label: 'restore-binding', clock: steppingClock(AT) });
  ({ cloud, adapters } = fixture);
  const text = restoreStrategy(
    TENANT,
    [{ locator: TABLE, source: 'aws-backup' }],
    [{ name: 'tables', lines: ['source: aws-backup', 'runner: aws-backup', 'schedule: { every: 30d }', 'maxRto: 1h'] }],
  );
  await applyStrategy(adapters.strategies, text, AT - 24 * HOUR);
  await adapters.facts.putFacts(awsBackupPoint());
});

afterAll(async () => {
  await fixture?.stop();
});

beforeEach(() => {
  backup.reset();
  dynamodb.reset();
});

function input(): RestoreTestInput {
  slot++;
  return {
    tenantId: TENANT,
    resourceId: TABLE,
    policyName: 'tables',
    scheduledAt: new Date(AT + slot * 60_000).toISOString(),
    reason: 'test',
  };
}

/** AWS Backup restores the point into the table named in the metadata; DynamoDB serves it until DeleteTable. */
function scriptRestore(options: { restoredItems: number; itemsAtBackup: number }) {
  let restoredTable = '';
  let deleted = false;
  let polls = 0;
  backup.on(GetRecoveryPointRestoreMetadataCommand).resolves({ RestoreMetadata: { originalTableName: 'orders' } });
  backup.on(StartRestoreJobCommand).callsFake((request) => {
    restoredTable = request.Metadata.targetTableName;
    return { RestoreJobId: 'job-1' };
  });
  backup.on(DescribeRestoreJobCommand).callsFake(() => {
    polls++;
    return polls < 2
      ? { RestoreJobId: 'job-1', Status: 'RUNNING', ResourceType: 'DynamoDB' }
      : {
          RestoreJobId: 'job-1',
          Status: 'COMPLETED',
          ResourceType: 'DynamoDB',
          CreatedResourceArn: `arn:aws:dynamodb:eu-west-3:${ACCOUNT}:table/${restoredTable}`,
          CompletionDate: new Date(AT),
        };
  });
  backup.on(PutRestoreValidationResultCommand).resolves({});
  dynamodb
    .on(DescribeBackupCommand)
    .resolves({ BackupDescription: { SourceTableDetails: { ItemCount: options.itemsAtBackup } as never } });
  dynamodb.on(DescribeTableCommand).callsFake(() => {
    if (deleted) throw new ResourceNotFoundException({ message: 'gone', $metadata: {} });
    return { Table: { TableName: restoredTable, TableStatus: 'ACTIVE' } };
  });
  dynamodb.on(ScanCommand).resolves({ Count: options.restoredItems });
  dynamodb.on(DeleteTableCommand).callsFake(() => {
    deleted = true;
    return {};
  });
  return { table: () => restoredTable };
}

function depsWith(restoreRoleArn: string | undefined) {
  return localRestoreTestDeps(adapters, {
    s3: localS3Client(cloud.endpoints),
    awsBackup: awsBackupRunner({
      clients: {
        backup: backupClient,
        dynamodb: dynamodbClient,
        s3: new S3Client({ region: 'eu-west-3' }),
        // The runner's spans share the use case's clock (the RTO adds them up).
        now: () => adapters.clock.now(),
        delay: async () => {},
      },
      ...(restoreRoleArn === undefined ? {} : { restoreRoleArn }),
    }),
    secretsFor: () => ({ getSecret: async () => '' }),
  });
}

describe('aws-backup runner bound to the restore-test use case', { timeout: 60_000 }, () => {
  it('restores a DynamoDB point from its vault with the restore role, validates the copy, deletes it and records PASSED', async () => {
    const restore = scriptRestore({ restoredItems: 120, itemsAtBackup: 120 });

    const run = await runRestoreTest(depsWith(ROLE), input(), { zeroWaits: true });

    const out = run.output as RecordOutput;
    expect(out.outcome).toBe('PASSED');
    expect(backup.commandCalls(GetRecoveryPointRestoreMetadataCommand)[0]?.args[0].input).toEqual({
      BackupVaultName: VAULT,
      RecoveryPointArn: POINT,
      BackupVaultAccountId: ACCOUNT,
    });
    const start = backup.commandCalls(StartRestoreJobCommand)[0]?.args[0].input;
    expect(start).toMatchObject({ RecoveryPointArn: POINT, IamRoleArn: ROLE, ResourceType: 'DynamoDB' });
    expect(start?.IdempotencyToken).toMatch(/^rt-[0-9a-f]{40}$/);
    expect(restore.table()).toMatch(/^reversa-rt-[0-9a-f]{16}$/);
    expect(backup.commandCalls(PutRestoreValidationResultCommand)[0]?.args[0].input).toMatchObject({
      RestoreJobId: 'job-1',
      ValidationStatus: 'SUCCESSFUL',
    });
    expect(dynamodb.commandCalls(DeleteTableCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: restore.table() },
    ]);
    const evidence = JSON.parse(await adapters.blobs.getText(out.evidenceKey)) as RestoreTestEvidence;
    expect(evidence.checks.map((c) => [c.name, c.status])).toEqual([
      ['table-present', 'PASSED'],
      ['item-count', 'PASSED'],
      ['rto', 'PASSED'],
    ]);
    expect(evidence.cleanup).toMatchObject({
      target: `arn:aws:dynamodb:eu-west-3:${ACCOUNT}:table/${restore.table()}`,
      result: 'CLEANED',
      removed: 1,
      remaining: 0,
    });
  });

  it('fails the test when the restored table holds far fewer items than at backup time, and still deletes it', async () => {
    const restore = scriptRestore({ restoredItems: 60, itemsAtBackup: 120 });

    const out = (await runRestoreTest(depsWith(ROLE), input(), { zeroWaits: true })).output as RecordOutput;

    expect(out.outcome).toBe('FAILED');
    expect(backup.commandCalls(PutRestoreValidationResultCommand)[0]?.args[0].input.ValidationStatus).toBe('FAILED');
    expect(dynamodb.commandCalls(DeleteTableCommand).map((c) => c.args[0].input.TableName)).toEqual([restore.table()]);
  });

  it('records ERROR naming REVERSA_RESTORE_ROLE_ARN when no restore role is configured, without starting a restore', async () => {
    scriptRestore({ restoredItems: 1, itemsAtBackup: 1 });

    const out = (await runRestoreTest(depsWith(undefined), input(), { zeroWaits: true })).output as RecordOutput;

    expect(out.outcome).toBe('ERROR');
    expect(out.reason).toContain('REVERSA_RESTORE_ROLE_ARN');
    expect(backup.commandCalls(StartRestoreJobCommand)).toHaveLength(0);
  });
});
