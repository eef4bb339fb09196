/**
 * Runs before every file of the `aws` project: points the AWS SDK's default configuration at the moto server,
 * the way a Lambda's environment points it at AWS. Clients built with `new XClient({})` (the adapters' defaults,
 * composeAws, fromTemporaryCredentials' STS client) then reach moto with no code change.
 */
import { inject } from 'vitest';
import { MOTO_REGION } from './account.ts';

Object.assign(process.env, {
  AWS_ENDPOINT_URL: inject('motoEndpoint'),
  AWS_REGION: MOTO_REGION,
  AWS_DEFAULT_REGION: MOTO_REGION,
  // moto maps any access key it did not issue to its default account.
  AWS_ACCESS_KEY_ID: 'AKIAMOTOTESTING00001',
  AWS_SECRET_ACCESS_KEY: 'moto-secret',
  AWS_EC2_METADATA_DISABLED: 'true',
  // The SDK's own defaults, as in a Lambda: the root vitest config sets WHEN_REQUIRED for s3rver, and the
  // Object Lock audit bucket refuses a PutObject without a checksum header (docs/aws-emulator.md).
  AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_SUPPORTED',
  AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_SUPPORTED',
});
