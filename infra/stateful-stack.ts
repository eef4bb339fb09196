import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { AccountPrincipal, AnyPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { asIBucket } from './cdk-types.ts';
import { AccessLogsBucket, SecureBucket } from './constructs/secure-bucket.ts';

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
