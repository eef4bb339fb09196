import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { AccountPrincipal, AnyPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Bucket, type IBucket, ObjectLockRetention } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { CONFIG_ENV } from '#config';
import { ConfigError } from '#core/errors.ts';
import { asIBucket } from './cdk-types.ts';
import { AccessLogsBucket, SecureBucket } from './constructs/secure-bucket.ts';
import { roleArnOf, roleArnPattern, SigningKey } from './constructs/signing-key.ts';
import { DOSSIER_ABORT_ID, tenantRoleName } from './role-names.ts';

/** Seven years: a common retention for audit evidence (SOX section 802 keeps audit work papers 7 years). */
export const DEFAULT_AUDIT_RETENTION_DAYS = 2555;
/** S3 Object Lock accepts at most 100 years (36,500 days) of default retention. */
const MAX_AUDIT_RETENTION_DAYS = 36_500;

/** Output keys the CLI reads with DescribeStacks (config.ts STACK_OUTPUTS, read by wiring/aws/platform.ts); renaming one breaks deployed CLIs. */
export const statefulOutputKeys = [
  'TableName',
  'DataBucketName',
  'EventBusName',
  'AuditBucketName',
  'AuditKeyId',
  'DossierBucketName',
  'DossierKeyId',
] as const;

export interface StatefulStackProps extends StackProps {
  /**
   * Days after which objects under `processed/` (job reports already ingested) expire.
   * @default 90
   */
  readonly processedRetentionDays?: number;
  /**
   * AWS account ids (MSP client accounts) allowed to put their AWS Backup events on the `reversa` bus.
   * @default - none
   */
  readonly clientAccountIds?: readonly string[];
  /**
   * AWS Organizations id whose member accounts may put events on the `reversa` bus (alternative to listing accounts).
   * @default - none
   */
  readonly clientOrganizationId?: string;
  /**
   * Name of the custom event bus.
   * @default 'reversa'
   */
  readonly eventBusName?: string;
  /**
   * Days every audit log object version is locked in S3 Object Lock COMPLIANCE mode: nobody, not even the
   * account root, can delete or overwrite it, or shorten the lock, before then.
   * @default 2555 (7 years)
   */
  readonly auditRetentionDays?: number;
  /**
   * Lower-case prefix of the KMS aliases: `alias/<prefix>-audit-signing`, `alias/<prefix>-dossier-signing`.
   * @default 'reversa'
   */
  readonly aliasPrefix?: string;
  /**
   * Name prefix of the application's IAM roles (the workflows stack's generated role names start with
   * `<stack name>-`). The audit and dossier bucket policies deny them every deletion.
   * @default 'ReversaWorkflows-'
   */
  readonly applicationRoleNamePrefix?: string;
}

/**
 * Everything that holds data and must outlive a redeploy: the main table, the idempotency table, the data
 * bucket (and its access-log bucket) and the event bus. Kept apart from the workflows so that replacing or
 * deleting the workflows stack can never touch data.
 */
export class StatefulStack extends Stack {
  readonly table: Table;
  readonly idempotencyTable: Table;
  readonly dataBucket: SecureBucket;
  readonly accessLogsBucket: AccessLogsBucket;
  readonly eventBus: EventBus;
  /**
   * The data bucket as other stacks should use it: its ARN comes through an export with a stable name
   * (`<stackName>-DataBucketArn`) instead of a generated one, so policies and their cdk-nag acknowledgments
   * name the same string whatever the construct tree looks like.
   */
  readonly dataBucketForConsumers: IBucket;
  /** Audit log copies (`audit/<tenant>/…`), under Object Lock in compliance mode. */
  readonly auditBucket: SecureBucket;
  /** The audit bucket for other stacks, its ARN exported as `<stackName>-AuditBucketArn` (see dataBucketForConsumers). */
  readonly auditBucketForConsumers: IBucket;
  /** Published reversibility dossiers. */
  readonly dossierBucket: SecureBucket;
  /** The dossier bucket for other stacks, its ARN exported as `<stackName>-DossierBucketArn` (see dataBucketForConsumers). */
  readonly dossierBucketForConsumers: IBucket;
  /** Signs audit log digests. */
  readonly auditSigningKey: SigningKey;
  /** Signs dossiers. */
  readonly dossierSigningKey: SigningKey;
  /** Audit Object Lock retention actually applied, in days. */
  readonly auditRetentionDays: number;

  constructor(scope: Construct, id: string, props: StatefulStackProps = {}) {
    super(scope, id, props);

    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.idempotencyTable = new Table(this, 'IdempotencyTable', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      // Powertools writes the expiry of each record here; DynamoDB deletes expired records for free.
      timeToLiveAttribute: 'expiration',
      // Records live minutes to hours and can be rebuilt by re-running: nothing worth retaining.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.idempotencyTable).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason:
        'Idempotency records expire within hours; restoring an old copy would resurrect stale in-progress locks, so point-in-time recovery has nothing useful to restore.',
    });

    this.accessLogsBucket = new AccessLogsBucket(this, 'AccessLogs');
    this.dataBucket = new SecureBucket(this, 'Data', {
      serverAccessLogsBucket: asIBucket(this.accessLogsBucket.bucket),
      serverAccessLogsPrefix: 'data/',
      // The workflows stack routes `inbox/` object events from the default bus to the s3-inbox function.
      eventBridgeEnabled: true,
      lifecycleRules: [
        {
          id: 'ExpireProcessedReports',
          prefix: 'processed/',
          expiration: Duration.days(props.processedRetentionDays ?? 90),
        },
        // Versioning protects against overwrites; old versions beyond a month only cost money.
        { id: 'ExpireOldVersions', noncurrentVersionExpiration: Duration.days(30) },
      ],
    });

    this.dataBucketForConsumers = Bucket.fromBucketAttributes(this, 'DataBucketForConsumers', {
      bucketArn: this.exportValue(this.dataBucket.bucket.bucketArn, { name: `${this.stackName}-DataBucketArn` }),
      bucketName: this.dataBucket.bucket.bucketName,
    });

    this.eventBus = new EventBus(this, 'EventBus', { eventBusName: props.eventBusName ?? 'reversa' });
    this.allowClientAccountsToForwardEvents(props);

    this.auditRetentionDays = validRetentionDays(props.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS);
    const applicationRoles = [roleArnPattern(props.applicationRoleNamePrefix ?? 'ReversaWorkflows-')];
    this.auditBucket = new SecureBucket(this, 'Audit', {
      serverAccessLogsBucket: asIBucket(this.accessLogsBucket.bucket),
      serverAccessLogsPrefix: 'audit/',
      // COMPLIANCE, not GOVERNANCE: governance can be bypassed by anyone holding s3:BypassGovernanceRetention,
      // which is exactly the administrator an auditor must not have to trust.
      objectLockDefaultRetention: ObjectLockRetention.compliance(Duration.days(this.auditRetentionDays)),
      // Object Lock protects versions; this also stops the application from hiding them behind delete markers.
      denyDeletionTo: applicationRoles,
    });
    this.auditBucketForConsumers = Bucket.fromBucketAttributes(this, 'AuditBucketForConsumers', {
      bucketArn: this.exportValue(this.auditBucket.bucket.bucketArn, { name: `${this.stackName}-AuditBucketArn` }),
      bucketName: this.auditBucket.bucket.bucketName,
    });

    // No Object Lock here: a dossier is a deliverable, not evidence under a legal hold, and governance-mode
    // locks would only add a bypass permission to manage. Versioning keeps every published version and the
    // bucket policy forbids the application to delete any; the operator can still remove a dossier on request.
    this.dossierBucket = new SecureBucket(this, 'Dossier', {
      serverAccessLogsBucket: asIBucket(this.accessLogsBucket.bucket),
      serverAccessLogsPrefix: 'dossier/',
      denyDeletionTo: applicationRoles,
      // The export's Abort step removes the objects of a version that never got published (sidecars written
      // before a failed Publish), through its tenant-access role. On this versioned bucket that only adds delete
      // markers: versions stay.
      allowDeleteMarkersTo: [
        roleArnOf(tenantRoleName(props.applicationRoleNamePrefix ?? 'ReversaWorkflows-', DOSSIER_ABORT_ID)),
      ],
    });

    this.dossierBucketForConsumers = Bucket.fromBucketAttributes(this, 'DossierBucketForConsumers', {
      bucketArn: this.exportValue(this.dossierBucket.bucket.bucketArn, { name: `${this.stackName}-DossierBucketArn` }),
      bucketName: this.dossierBucket.bucket.bucketName,
    });

    const aliasPrefix = props.aliasPrefix ?? 'reversa';
    this.auditSigningKey = new SigningKey(this, 'AuditSigningKey', {
      aliasName: `alias/${aliasPrefix}-audit-signing`,
      description: 'Reversa: signs audit log digests (ECDSA P-256); retained so old digests stay verifiable',
    });
    this.dossierSigningKey = new SigningKey(this, 'DossierSigningKey', {
      aliasName: `alias/${aliasPrefix}-dossier-signing`,
      description: 'Reversa: signs reversibility dossiers (ECDSA P-256); retained so old dossiers stay verifiable',
    });

    this.addOutputs();
  }

  /** The names the CLI needs to work against this deployment (`npx reversa --stack <prefix> …`). */
  private addOutputs(): void {
    const values: Record<(typeof statefulOutputKeys)[number], [string, string]> = {
      TableName: [this.table.tableName, `Main DynamoDB table (${CONFIG_ENV.tableName})`],
      DataBucketName: [
        this.dataBucket.bucket.bucketName,
        `Data bucket: inbox, runs, reports (${CONFIG_ENV.dataBucket})`,
      ],
      EventBusName: [this.eventBus.eventBusName, `Reversa event bus (${CONFIG_ENV.eventBusName})`],
      AuditBucketName: [
        this.auditBucket.bucket.bucketName,
        `Audit log bucket, Object Lock (${CONFIG_ENV.auditBucket})`,
      ],
      AuditKeyId: [this.auditSigningKey.keyId, `Audit digest signing key, ${this.auditSigningKey.aliasName}`],
      DossierBucketName: [this.dossierBucket.bucket.bucketName, `Dossier bucket (${CONFIG_ENV.dossierBucket})`],
      DossierKeyId: [this.dossierSigningKey.keyId, `Dossier signing key, ${this.dossierSigningKey.aliasName}`],
    };
    for (const [key, [value, description]] of Object.entries(values)) new CfnOutput(this, key, { value, description });
  }

  /** Cross-account forwarding of AWS Backup events: client accounts PutEvents onto this bus. */
  private allowClientAccountsToForwardEvents(props: StatefulStackProps): void {
    for (const accountId of props.clientAccountIds ?? []) {
      this.eventBus.addToResourcePolicy(
        new PolicyStatement({
          sid: `ClientAccount${accountId}PutEvents`,
          principals: [new AccountPrincipal(accountId)],
          actions: ['events:PutEvents'],
          resources: [this.eventBus.eventBusArn],
        }),
      );
    }
    if (props.clientOrganizationId !== undefined) {
      this.eventBus.addToResourcePolicy(
        new PolicyStatement({
          sid: 'ClientOrganizationPutEvents',
          principals: [new AnyPrincipal()],
          actions: ['events:PutEvents'],
          resources: [this.eventBus.eventBusArn],
          conditions: { StringEquals: { 'aws:PrincipalOrgID': props.clientOrganizationId } },
        }),
      );
    }
  }
}

function validRetentionDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > MAX_AUDIT_RETENTION_DAYS) {
    throw new ConfigError(
      'InvalidAuditRetention',
      `auditRetentionDays must be a whole number of days from 1 to ${MAX_AUDIT_RETENTION_DAYS}, got ${days}`,
    );
  }
  return days;
}
