import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { SANDBOX_TAG } from '#core/restore/aws-backup.ts';
import type { ResticRunner } from '../constructs/restic-runner.ts';
import { type Grant, namedBucketGrants, ownArn, serviceGrant, wildcardGrant } from '../grants.ts';

/**
 * Names every aws-backup sandbox carries (core/restore/aws-backup.ts sandboxName: `[<prefix>-]reversa-rt-<hex>`):
 * the restore-test functions may read and delete only resources matching it.
 */
const SANDBOX_NAME_PATTERN = '*reversa-rt-*';

const pointsWhy =
  'Restore tests pick any recovery point of this account and region (known only at run time); the grant stops at the account/region ARN prefix.';
const sandboxWhy =
  'Restored sandboxes are named <prefix->reversa-rt-<test hash> at run time; only resources carrying that marker match.';
const namedSandboxWhy =
  'A sandbox bucket named at deploy time exists only to receive test restores (<prefix><testId>/).';

/** Buckets named at deploy time (`-c restoreSourceBuckets=…`, `-c restoreSandboxBuckets=…`). */
export interface NamedRestoreBuckets {
  /** Hold s3-archive archives and restic repositories: read (and restic's `locks/`) only. */
  readonly sources: readonly string[];
  /** s3-archive policies restore into them (`sandbox.bucket`): written, read back, emptied. */
  readonly sandboxes: readonly string[];
}

/**
 * What restore tests touch besides the bound table and bucket: recovery points and vaults of this account and region
 * (the aws-backup runner), the sandboxes restored from them (only names carrying the `reversa-rt-` marker), buckets
 * named at deploy time, and what the restic task and its `ecs:runTask.sync` start need.
 */
export class RestoreTestGrants {
  private readonly vaults: string;
  private readonly points: string;
  private readonly dynamoBackups: string;
  private readonly sandboxTables: string;
  private readonly sandboxBuckets: string;
  private readonly sandboxInstances: string;
  private readonly instances: string;
  private readonly volumes: string;

  constructor(
    private readonly scope: Construct,
    private readonly named: NamedRestoreBuckets,
  ) {
    this.vaults = ownArn(scope, 'backup', 'backup-vault', '*');
    this.points = ownArn(scope, 'backup', 'recovery-point', '*');
    this.dynamoBackups = ownArn(scope, 'dynamodb', 'table', '*/backup/*', '/');
    this.sandboxTables = ownArn(scope, 'dynamodb', 'table', SANDBOX_NAME_PATTERN, '/');
    this.sandboxBuckets = `arn:${Stack.of(scope).partition}:s3:::${SANDBOX_NAME_PATTERN}`;
    this.sandboxInstances = ownArn(scope, 'rds', 'db', SANDBOX_NAME_PATTERN);
    this.instances = ownArn(scope, 'rds', 'db', '*');
    this.volumes = ownArn(scope, 'ec2', 'volume', '*', '/');
  }

  /** ec2:DescribeVolumes supports no resource-level permission: the runner reads restored and source volumes. */
  private describeVolumes(): Grant {
    return serviceGrant(
      ['ec2:DescribeVolumes'],
      'ec2:DescribeVolumes supports no resource-level permission; it reads the restored EBS volume (and its source) by id.',
    );
  }

  /** s3-archive: read archives from the source buckets, restore into the named sandbox buckets. */
  archiveRestore(): Grant[] {
    return [
      ...namedBucketGrants(
        this.scope,
        this.named.sources,
        ['s3:GetObject'],
        'Archive keys are patterns per recovery point in a bucket the provider names at deploy time; read-only.',
      ),
      ...namedBucketGrants(
        this.scope,
        this.named.sandboxes,
        ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
        namedSandboxWhy,
      ),
    ];
  }

  /** GetRecoveryPointRestoreMetadata and StartRestoreJob on any recovery point (and DynamoDB backup) here. */
  startRestoreJob(): Grant[] {
    return [
      wildcardGrant('external', ['backup:GetRecoveryPointRestoreMetadata'], [this.vaults], pointsWhy),
      wildcardGrant('external', ['backup:StartRestoreJob'], [this.points, this.dynamoBackups], pointsWhy),
    ];
  }

  /**
   * DescribeRestoreJob supports no resource-level permission. A completed EBS restore is tagged with the sandbox
   * marker (its id is AWS's): only the `reversa:sandbox` tag, only on a volume that carries none yet.
   */
  describeRestoreJob(): Grant[] {
    return [
      serviceGrant(
        ['backup:DescribeRestoreJob'],
        'backup:DescribeRestoreJob supports no resource-level permission; the restore job id comes from the test plan.',
      ),
      this.describeVolumes(),
      {
        ...wildcardGrant(
          'external',
          ['ec2:CreateTags'],
          [this.volumes],
          'A restored volume id is assigned by AWS at run time; the conditions allow only the sandbox tag, on an untagged volume.',
        ),
        conditions: {
          'ForAllValues:StringEquals': { 'aws:TagKeys': [SANDBOX_TAG] },
          Null: { [`aws:ResourceTag/${SANDBOX_TAG}`]: 'true' },
        },
      },
    ];
  }

  /** Reads the restored table/bucket back, the backup's own item count, and reports the verdict to AWS Backup. */
  validateSandbox(): Grant[] {
    return [
      wildcardGrant('external', ['dynamodb:DescribeBackup'], [this.dynamoBackups], pointsWhy),
      wildcardGrant(
        'external',
        ['dynamodb:DescribeTable', 'dynamodb:Scan', 'dynamodb:GetItem'],
        [this.sandboxTables],
        sandboxWhy,
      ),
      wildcardGrant('external', ['s3:ListBucket'], [this.sandboxBuckets], sandboxWhy),
      wildcardGrant('external', ['s3:GetObject'], [`${this.sandboxBuckets}/*`], sandboxWhy),
      wildcardGrant(
        'external',
        ['rds:DescribeDBInstances'],
        [this.instances],
        'The restored RDS instance is compared with its source, both named at run time (recovery points of this account and region); read-only.',
      ),
      this.describeVolumes(),
      serviceGrant(
        ['backup:PutRestoreValidationResult'],
        'backup:PutRestoreValidationResult supports no resource-level permission; it reports the verdict of the restore job the test started.',
      ),
    ];
  }

  /** Deletes the restored table/bucket/instance/volume (aws-backup) and empties the named sandbox buckets (s3-archive). */
  deleteSandbox(): Grant[] {
    return [
      wildcardGrant(
        'external',
        ['rds:DeleteDBInstance', 'rds:DescribeDBInstances'],
        [this.sandboxInstances],
        sandboxWhy,
      ),
      this.describeVolumes(),
      {
        ...wildcardGrant(
          'external',
          ['ec2:DeleteVolume'],
          [this.volumes],
          'A restored volume id is assigned by AWS at run time; the condition allows deleting only volumes tagged as a Reversa sandbox.',
        ),
        conditions: { StringLike: { [`aws:ResourceTag/${SANDBOX_TAG}`]: 'reversa-rt-*' } },
      },
      wildcardGrant('external', ['dynamodb:DeleteTable', 'dynamodb:DescribeTable'], [this.sandboxTables], sandboxWhy),
      wildcardGrant(
        'external',
        ['s3:ListBucket', 's3:ListBucketVersions', 's3:DeleteBucket'],
        [this.sandboxBuckets],
        sandboxWhy,
      ),
      wildcardGrant(
        'external',
        ['s3:DeleteObject', 's3:DeleteObjectVersion'],
        [`${this.sandboxBuckets}/*`],
        sandboxWhy,
      ),
      ...namedBucketGrants(this.scope, this.named.sandboxes, ['s3:GetObject', 's3:DeleteObject'], namedSandboxWhy),
    ];
  }

  /**
   * What the restic binary reads with the task role's own credentials: the repositories in the source buckets, where
   * even a restore writes and removes its lock under locks/. (The runner's plan, sandbox and password go through the
   * task's tenant-access role.)
   */
  resticRepositories(): Grant[] {
    const partition = Stack.of(this.scope).partition;
    const locks = this.named.sources.map((name) => `arn:${partition}:s3:::${name}/locks/*`);
    return [
      ...namedBucketGrants(
        this.scope,
        this.named.sources,
        ['s3:GetObject'],
        'restic repositories live in buckets the provider names at deploy time; pack and index keys are content hashes.',
      ),
      ...(locks.length === 0
        ? []
        : [
            wildcardGrant(
              'external',
              ['s3:PutObject', 's3:DeleteObject'],
              locks,
              'restic creates and removes its lock file under locks/ while it reads.',
            ),
          ]),
    ];
  }

  /**
   * The workflow's RunTask `.sync`: start the task (its family, any revision), pass its two roles to ECS, watch and
   * stop tasks of that cluster, and manage the managed rule through which Step Functions hears the task end.
   */
  runResticTask(restic: ResticRunner): Grant[] {
    const { taskDefinition, cluster } = restic;
    const family = ownArn(this.scope, 'ecs', 'task-definition', `${taskDefinition.family}:*`, '/');
    const passed = [taskDefinition.taskRole, taskDefinition.obtainExecutionRole()];
    return [
      wildcardGrant(
        'external',
        ['ecs:RunTask'],
        [family],
        'RunTask names the task definition family; each deployment adds a revision, so the grant covers <family>:*.',
      ),
      {
        on: 'external',
        actions: ['ecs:StopTask', 'ecs:DescribeTasks'],
        resources: ['*'],
        conditions: { ArnEquals: { 'ecs:cluster': cluster.attrArn } },
      },
      {
        on: 'role',
        actions: ['iam:PassRole'],
        resources: passed.map((role) => role.roleArn),
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
      {
        on: 'external',
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [ownArn(this.scope, 'events', 'rule', 'StepFunctionsGetEventsForECSTaskRule', '/')],
      },
    ];
  }
}
