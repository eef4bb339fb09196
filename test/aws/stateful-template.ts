/**
 * Resources of the synthesized ReversaStateful template, created in moto through the service APIs with the
 * template's own properties, as CloudFormation would create them. (moto's CloudFormation creates an
 * AWS::S3::Bucket without its versioning or Object Lock and an AWS::KMS::Key as a symmetric key whatever its
 * KeySpec: docs/aws-emulator.md.) A property this translation does not know fails the test, so a property
 * added to the stack is either applied here or listed as not applicable with its reason.
 */

import { CreateKeyCommand, type KeySpec, type KeyUsageType, type KMSClient } from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { MOTO_ACCOUNT_ID, MOTO_REGION } from './account.ts';
import type { CfnTemplate } from './global-setup.ts';

type Properties = Record<string, unknown>;

export function statefulTemplate(): CfnTemplate {
  return inject('statefulTemplate');
}

function resource(type: string, matches: (properties: Properties) => boolean): Properties {
  const found = Object.values(statefulTemplate().Resources).filter(
    (r) => r.Type === type && matches(r.Properties ?? {}),
  );
  if (found.length !== 1) throw new Error(`expected one ${type} in ReversaStateful, found ${found.length}`);
  return found[0]?.Properties ?? {};
}

/** The bucket whose access logs go under `<logPrefix>` (data/, audit/, dossier/): how the stack tells them apart. */
export function bucketProperties(logPrefix: string): Properties {
  return resource(
    'AWS::S3::Bucket',
    (p) => (p.LoggingConfiguration as { LogFilePrefix?: string } | undefined)?.LogFilePrefix === logPrefix,
  );
}

/** The KMS key behind an alias (`alias/reversa-audit-signing`, `alias/reversa-dossier-signing`). */
export function keyPropertiesByAlias(aliasName: string): Properties {
  const alias = resource('AWS::KMS::Alias', (p) => p.AliasName === aliasName);
  const ref = (alias.TargetKeyId as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0];
  const key = ref === undefined ? undefined : statefulTemplate().Resources[ref];
  if (key?.Type !== 'AWS::KMS::Key') throw new Error(`alias ${aliasName} does not target a key of the template`);
  return key.Properties ?? {};
}

/** Resolves the intrinsics a key policy uses (pseudo parameters, Fn::Join) for moto's account and region. */
export function resolveIntrinsics(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveIntrinsics);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const pseudo: Record<string, string> = {
    'AWS::AccountId': MOTO_ACCOUNT_ID,
    'AWS::Region': MOTO_REGION,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
  };
  if (typeof object.Ref === 'string') {
    const resolved = pseudo[object.Ref];
    if (resolved === undefined) throw new Error(`cannot resolve Ref ${object.Ref} outside CloudFormation`);
    return resolved;
  }
  if (Array.isArray(object['Fn::Join'])) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => String(resolveIntrinsics(part))).join(separator);
  }
  const intrinsic = Object.keys(object).find((k) => k.startsWith('Fn::'));
  if (intrinsic) throw new Error(`cannot resolve ${intrinsic} outside CloudFormation`);
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, resolveIntrinsics(v)]));
}

/** Bucket properties not applied here, and why that does not change what the tests prove. */
const BUCKET_PROPERTIES_NOT_APPLIED: Record<string, string> = {
  LoggingConfiguration: 'server access logs go to another bucket of the stack; they do not change object semantics',
  LifecycleConfiguration: 'lifecycle rules act after days; no test runs that long',
  NotificationConfiguration: 'EventBridge notifications of the data bucket are not read back by these tests',
};

/**
 * Creates `bucketName` with the template's properties, in the order CloudFormation needs them: Object Lock can
 * only be enabled at creation, and its default retention needs versioning.
 */
export async function createBucketAsCloudFormation(
  s3: S3Client,
  bucketName: string,
  properties: Properties,
): Promise<void> {
  const unknown = Object.keys(properties).filter(
    (k) =>
      !(k in BUCKET_PROPERTIES_NOT_APPLIED) &&
      ![
        'ObjectLockEnabled',
        'VersioningConfiguration',
        'ObjectLockConfiguration',
        'BucketEncryption',
        'PublicAccessBlockConfiguration',
        'OwnershipControls',
      ].includes(k),
  );
  if (unknown.length > 0) throw new Error(`createBucketAsCloudFormation does not know ${unknown.join(', ')}`);
  const p = properties as {
    ObjectLockEnabled?: boolean;
    VersioningConfiguration?: { Status: 'Enabled' | 'Suspended' };
    ObjectLockConfiguration?: {
      ObjectLockEnabled: 'Enabled';
      Rule?: { DefaultRetention: { Mode: 'COMPLIANCE' | 'GOVERNANCE'; Days?: number; Years?: number } };
    };
    BucketEncryption?: {
      ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' | 'aws:kms' } }[];
    };
    PublicAccessBlockConfiguration?: Record<string, boolean>;
    OwnershipControls?: { Rules: { ObjectOwnership: 'BucketOwnerEnforced' | 'BucketOwnerPreferred' }[] };
  };
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucketName,
      CreateBucketConfiguration: { LocationConstraint: MOTO_REGION },
      ...(p.ObjectLockEnabled === true ? { ObjectLockEnabledForBucket: true } : {}),
    }),
  );
  if (p.VersioningConfiguration) {
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: bucketName, VersioningConfiguration: p.VersioningConfiguration }),
    );
  }
  if (p.ObjectLockConfiguration) {
    await s3.send(
      new PutObjectLockConfigurationCommand({ Bucket: bucketName, ObjectLockConfiguration: p.ObjectLockConfiguration }),
    );
  }
  if (p.BucketEncryption) {
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: bucketName,
        // CloudFormation's ServerSideEncryptionByDefault is the API's ApplyServerSideEncryptionByDefault.
        ServerSideEncryptionConfiguration: {
          Rules: p.BucketEncryption.ServerSideEncryptionConfiguration.map((rule) => ({
            ApplyServerSideEncryptionByDefault: rule.ServerSideEncryptionByDefault,
          })),
        },
      }),
    );
  }
  if (p.PublicAccessBlockConfiguration) {
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucketName,
        PublicAccessBlockConfiguration: p.PublicAccessBlockConfiguration,
      }),
    );
  }
  if (p.OwnershipControls) {
    await s3.send(
      new PutBucketOwnershipControlsCommand({ Bucket: bucketName, OwnershipControls: p.OwnershipControls }),
    );
  }
}

/** Creates a key with the template's KeySpec, KeyUsage, description and (resolved) key policy; returns its id. */
export async function createKeyAsCloudFormation(kms: KMSClient, properties: Properties): Promise<string> {
  const out = await kms.send(
    new CreateKeyCommand({
      KeySpec: properties.KeySpec as KeySpec,
      KeyUsage: properties.KeyUsage as KeyUsageType,
      Description: properties.Description as string,
      Policy: JSON.stringify(resolveIntrinsics(properties.KeyPolicy)),
    }),
  );
  const keyId = out.KeyMetadata?.KeyId;
  if (!keyId) throw new Error('CreateKey returned no key id');
  return keyId;
}
