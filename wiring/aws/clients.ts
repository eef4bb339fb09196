/**
 * The SDK clients every Reversa function uses (DynamoDB, S3, EventBridge, KMS), one of each per
 * credentials scope, so the stores of one scope share one connection pool. Clients for other
 * services are built by the factory of the workflow that needs them, so a Lambda bundle carries only
 * the SDK clients its function uses.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';

/** Credentials as every SDK v3 client takes them (static, or a provider that refreshes). */
export type AwsCredentials = NonNullable<DynamoDBClientConfig['credentials']>;

/** Where clients run: the Lambda's own credentials and region unless given. */
export interface AwsScope {
  region?: string;
  credentials?: AwsCredentials;
}

export function clientConfigOf(scope: AwsScope): { region?: string; credentials?: AwsCredentials } {
  return {
    ...(scope.region === undefined ? {} : { region: scope.region }),
    ...(scope.credentials === undefined ? {} : { credentials: scope.credentials }),
  };
}

export interface BaseClients {
  dynamodb: DynamoDBClient;
  s3: S3Client;
  events: EventBridgeClient;
  kms: KMSClient;
}

export function baseClients(scope: AwsScope = {}): BaseClients {
  const config = clientConfigOf(scope);
  return {
    dynamodb: new DynamoDBClient(config),
    s3: new S3Client(config),
    events: new EventBridgeClient(config),
    kms: new KMSClient(config),
  };
}
