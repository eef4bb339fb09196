/** SDK clients pointed explicitly at the local cloud's emulators (no reliance on process.env). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { LOCAL_REGION, type LocalEndpoints } from '#config';

export function localClientConfig(endpoint: string) {
  return {
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  };
}

/** Path style (IP endpoint) and checksums only when required: see localCloudEnv in config.ts. */
export function localS3Client(endpoints: LocalEndpoints): S3Client {
  return new S3Client({
    ...localClientConfig(endpoints.s3),
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function localDynamoClient(endpoints: LocalEndpoints): DynamoDBClient {
  return new DynamoDBClient(localClientConfig(endpoints.dynamodb));
}
