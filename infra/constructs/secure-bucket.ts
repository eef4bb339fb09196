import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket, LifecycleRule, ObjectLockRetention } from 'aws-cdk-lib/aws-s3';
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
  /**
   * Turns S3 Object Lock on with this default retention for every new object version. Object Lock can only be
   * enabled when the bucket is created; a compliance-mode retention cannot be shortened or lifted by anyone.
   * @default - no Object Lock
   */
  readonly objectLockDefaultRetention?: ObjectLockRetention;
  /**
   * IAM role ARN patterns (ArnLike on aws:PrincipalArn) denied every object and version deletion by the bucket
   * policy, whatever their own IAM policy says: what the application writes there stays published.
   * @default - no deletion deny
   */
  readonly denyDeletionTo?: readonly string[];
  /**
   * Role ARN patterns among `denyDeletionTo` still allowed s3:DeleteObject (on a versioned bucket: a delete
   * marker; the version stays), never s3:DeleteObjectVersion.
   * @default - none
   */
  readonly allowDeleteMarkersTo?: readonly string[];
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
      ...(props.objectLockDefaultRetention === undefined
        ? {}
        : { objectLockEnabled: true, objectLockDefaultRetention: props.objectLockDefaultRetention }),
    });
    if (props.denyDeletionTo !== undefined && props.denyDeletionTo.length > 0) {
      this.bucket.addToResourcePolicy(
        new PolicyStatement({
          sid: 'DenyDeletionToApplicationRoles',
          effect: Effect.DENY,
          principals: [new AnyPrincipal()],
          actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
          resources: [this.bucket.arnForObjects('*')],
          conditions: {
            ArnLike: { 'aws:PrincipalArn': [...props.denyDeletionTo] },
            ...(props.allowDeleteMarkersTo === undefined || props.allowDeleteMarkersTo.length === 0
              ? {}
              : { ArnNotLike: { 'aws:PrincipalArn': [...props.allowDeleteMarkersTo] } }),
          },
        }),
      );
      if (props.allowDeleteMarkersTo !== undefined && props.allowDeleteMarkersTo.length > 0) {
        this.bucket.addToResourcePolicy(
          new PolicyStatement({
            sid: 'DenyVersionDeletionToApplicationRoles',
            effect: Effect.DENY,
            principals: [new AnyPrincipal()],
            actions: ['s3:DeleteObjectVersion'],
            resources: [this.bucket.arnForObjects('*')],
            conditions: { ArnLike: { 'aws:PrincipalArn': [...props.denyDeletionTo] } },
          }),
        );
      }
    }
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
