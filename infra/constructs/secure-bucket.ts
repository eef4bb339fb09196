import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IBucket, LifecycleRule } from 'aws-cdk-lib/aws-s3';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Settings both kinds of bucket share; each one is a default a reviewer would otherwise ask for. */
const secureDefaults = {
  versioned: true,
  // S3-managed keys: no key policy to keep in sync with every reader, and server access logging
  // (which cannot write to SSE-KMS buckets) works the same way on both buckets.
  encryption: BucketEncryption.S3_MANAGED,
  enforceSSL: true,
  blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
  objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
  // Buckets hold clients' evidence: deleting the stack must never delete them.
  removalPolicy: RemovalPolicy.RETAIN,
} as const;

const abortIncompleteUploads: LifecycleRule = {
  id: 'AbortIncompleteMultipartUploads',
  abortIncompleteMultipartUploadAfter: Duration.days(1),
};

export interface SecureBucketProps {
  /** Bucket receiving this bucket's S3 server access logs (who read or wrote which object). */
  readonly serverAccessLogsBucket: IBucket;
  /**
   * Prefix for this bucket's access log objects.
   * @default - the construct id followed by '/'
   */
  readonly serverAccessLogsPrefix?: string;
  /**
   * Lifecycle rules added after the default one that aborts incomplete multipart uploads after 1 day.
   * @default - none
   */
  readonly lifecycleRules?: LifecycleRule[];
  /**
   * Publish object events to the account's default EventBridge bus. Set through the native CloudFormation
   * property rather than the L2 flag, which deploys a custom-resource Lambda to do the same thing.
   * @default false
   */
  readonly eventBridgeEnabled?: boolean;
}

/**
 * An S3 bucket with the AWS Solutions Constructs defaults: versioned, encrypted, TLS-only bucket policy,
 * public access blocked, ACLs disabled, access-logged, and retained when the stack is deleted.
 */
export class SecureBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      ...secureDefaults,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      serverAccessLogsPrefix: props.serverAccessLogsPrefix ?? `${id}/`,
      lifecycleRules: [abortIncompleteUploads, ...(props.lifecycleRules ?? [])],
    });
    if (props.eventBridgeEnabled === true) {
      const cfnBucket = this.bucket.node.defaultChild as CfnBucket;
      cfnBucket.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    }
  }
}

export interface AccessLogsBucketProps {
  /**
   * How long access logs are kept.
   * @default Duration.days(365)
   */
  readonly expiration?: Duration;
}

/** The destination of server access logs: same defaults as SecureBucket, minus logging itself. */
export class AccessLogsBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: AccessLogsBucketProps = {}) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      ...secureDefaults,
      lifecycleRules: [
        abortIncompleteUploads,
        {
          id: 'ExpireAccessLogs',
          expiration: props.expiration ?? Duration.days(365),
          noncurrentVersionExpiration: Duration.days(30),
        },
      ],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the server access log destination; logging it into itself would loop and another log bucket would only move the problem.',
    });
  }
}
