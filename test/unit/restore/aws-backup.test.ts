import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#core/errors.ts';
import {
  buildRestoreMetadata,
  countCheck,
  dynamoItemSha256,
  hexFromS3Checksum,
  lambdaValidatorCheck,
  percentOf,
  SANDBOX_TAG,
  sandboxMarker,
  sandboxName,
  sandboxVerdict,
  validationMessageOf,
  validationStatusOf,
  withinTolerance,
} from '#core/restore/aws-backup.ts';
import type { CheckResult } from '#core/restore/evidence.ts';
import { restoreTestId } from '#core/restore/ids.ts';

const TEST_ID = restoreTestId({
  tenantId: 'acme',
  resourceId: 'arn:aws:dynamodb:eu-west-3:1:table/orders',
  scheduledAt: 0,
});
const OTHER_ID = restoreTestId({ tenantId: 'acme', resourceId: 'other', scheduledAt: 0 });
const MARKER = sandboxMarker(TEST_ID);
const span = { startedAt: 10, endedAt: 20 };
const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe('sandbox naming', () => {
  it('derives a short marker from the test id and refuses anything that is not a test id', () => {
    expect(MARKER).toBe(`reversa-${TEST_ID.slice(0, 19)}`);
    expect(MARKER).toHaveLength(27);
    expect(() => sandboxMarker('prod-orders')).toThrow(ValidationError);
  });

  it('keeps a sanitised prefix and still ends with the marker', () => {
    expect(sandboxName(TEST_ID, '  Orders__Sandbox--Eu!! ')).toBe(`orders-sandbox-eu-${MARKER}`);
    expect(sandboxName(TEST_ID, '123')).toBe(MARKER);
    expect(sandboxName(TEST_ID)).toBe(MARKER);
  });

  it('always yields a name valid as an S3 bucket and an RDS identifier that passes its own safety check', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (prefix) => {
        const name = sandboxName(TEST_ID, prefix);
        expect(name).toMatch(/^[a-z][a-z0-9-]{1,61}[a-z0-9]$/);
        expect(name).not.toContain('--');
        expect(sandboxVerdict('S3', `arn:aws:s3:::${name}`, TEST_ID).safe).toBe(true);
        expect(sandboxVerdict('RDS', `arn:aws:rds:eu-west-3:111122223333:db:${name}`, TEST_ID).safe).toBe(true);
        expect(sandboxVerdict('S3', `arn:aws:s3:::${name}`, OTHER_ID).safe).toBe(false);
      }),
    );
  });
});

describe('sandboxVerdict', () => {
  const table = (name: string) => `arn:aws:dynamodb:eu-west-3:111122223333:table/${name}`;

  it('accepts the sandbox table of this test', () => {
    expect(sandboxVerdict('DynamoDB', table(`x-${MARKER}`), TEST_ID)).toEqual({ safe: true, name: `x-${MARKER}` });
  });

  it('refuses a production table, another test sandbox, and a name that only contains the marker', () => {
    for (const name of ['orders', sandboxName(OTHER_ID), `${MARKER}-orders`, `x${MARKER}`]) {
      const v = sandboxVerdict('DynamoDB', table(name), TEST_ID);
      expect(v.safe).toBe(false);
    }
  });

  it('refuses an ARN of another type than the one declared', () => {
    expect(sandboxVerdict('S3', table(MARKER), TEST_ID)).toMatchObject({ safe: false });
    expect(sandboxVerdict('EFS', `arn:aws:elasticfilesystem:eu-west-3:1:file-system/${MARKER}`, TEST_ID)).toMatchObject(
      {
        safe: false,
      },
    );
  });

  it('accepts an EBS volume only when it carries the marker tag', () => {
    const arn = 'arn:aws:ec2:eu-west-3:111122223333:volume/vol-0123456789abcdef0';
    expect(sandboxVerdict('EBS', arn, TEST_ID, {}).safe).toBe(false);
    expect(sandboxVerdict('EBS', arn, TEST_ID, { [SANDBOX_TAG]: sandboxMarker(OTHER_ID) }).safe).toBe(false);
    expect(sandboxVerdict('EBS', arn, TEST_ID, { [SANDBOX_TAG]: MARKER }).safe).toBe(true);
  });
});

describe('buildRestoreMetadata', () => {
  it('keeps the recovery point metadata, expands the KMS alias and forces the DynamoDB sandbox table', () => {
    const md = buildRestoreMetadata(
      'DynamoDB',
      { targetTableName: 'orders', encryptionType: 'Default' },
      { kmsKeyId: 'arn:aws:kms:eu-west-3:1:key/k', sandboxNamePrefix: 'ignored-here' },
      'sbx',
    );
    expect(md).toEqual({
      targetTableName: 'sbx',
      encryptionType: 'KMS',
      kmsMasterKeyArn: 'arn:aws:kms:eu-west-3:1:key/k',
    });
  });

  it('restores S3 into a new sandbox bucket even when the recovery point names the source bucket', () => {
    const md = buildRestoreMetadata('S3', { DestinationBucketName: 'prod-data', NewBucket: 'false' }, {}, 'sbx');
    expect(md).toMatchObject({ DestinationBucketName: 'sbx', NewBucket: 'true' });
  });

  it('maps RDS network overrides and passes unknown keys through verbatim', () => {
    const md = buildRestoreMetadata(
      'RDS',
      { DBInstanceIdentifier: 'prod-db', MultiAZ: 'true' },
      { dbSubnetGroupName: 'sandbox-subnets', securityGroupIds: 'sg-1, sg-2', PubliclyAccessible: 'false' },
      'sbx',
    );
    expect(md).toEqual({
      DBInstanceIdentifier: 'sbx',
      MultiAZ: 'true',
      DBSubnetGroupName: 'sandbox-subnets',
      VpcSecurityGroupIds: '["sg-1","sg-2"]',
      PubliclyAccessible: 'false',
    });
  });

  it('never restores EBS into an existing volume', () => {
    const md = buildRestoreMetadata(
      'EBS',
      { volumeId: 'vol-prod', volumeSize: '8' },
      { availabilityZone: 'eu-west-3a' },
      'x',
    );
    expect(md).toEqual({ volumeSize: '8', availabilityZone: 'eu-west-3a' });
  });

  it('refuses an override of the target name and a type without a sandbox rule', () => {
    expect(() => buildRestoreMetadata('DynamoDB', {}, { targetTableName: 'orders' }, 'sbx')).toThrow(
      /sandbox.overrides.targetTableName/,
    );
    expect(() => buildRestoreMetadata('EFS', {}, {}, 'sbx')).toThrow(ValidationError);
  });
});

describe('counts', () => {
  it('applies the tolerance symmetrically and a 0% tolerance demands the exact count', () => {
    expect(withinTolerance(1000, 1050, 5)).toBe(true);
    expect(withinTolerance(1000, 949, 5)).toBe(false);
    expect(withinTolerance(10, 10, 0)).toBe(true);
    expect(withinTolerance(10, 11, 0)).toBe(false);
  });

  it('fails an item count outside tolerance, naming both counts', () => {
    const check = countCheck('item-count', 'items', 1000, { counted: 900, complete: true, ...span }, 5);
    expect(check.status).toBe('FAILED');
    expect(check.message).toContain('900 items restored, 1000 at backup time');
    expect(check.counts).toEqual({ expected: 1000, compared: 900 });
  });

  it('reports ERROR, not PASSED, when counting stopped at its bound', () => {
    expect(countCheck('object-count', 'objects', 5, { counted: 5, complete: false, ...span }, 0).status).toBe('ERROR');
  });
});

describe('dynamoItemSha256', () => {
  it('does not depend on attribute order or set member order, and changes when a value does', () => {
    const a = {
      pk: { S: 'o#1' },
      tags: { SS: ['b', 'a'] },
      m: { M: { y: { N: '2' }, x: { B: new Uint8Array([1, 2]) } } },
    };
    const b = { m: { M: { x: { B: 'AQI=' }, y: { N: '2' } } }, tags: { SS: ['a', 'b'] }, pk: { S: 'o#1' } };
    expect(dynamoItemSha256(a)).toBe(dynamoItemSha256(b));
    expect(dynamoItemSha256({ ...b, pk: { S: 'o#2' } })).not.toBe(dynamoItemSha256(b));
  });
});

describe('hexFromS3Checksum', () => {
  it('decodes a full-object checksum and ignores a composite one', () => {
    const hex = 'ab'.repeat(32);
    expect(hexFromS3Checksum(Buffer.from(hex, 'hex').toString('base64'))).toBe(hex);
    expect(hexFromS3Checksum(`${Buffer.from(hex, 'hex').toString('base64')}-3`)).toBeUndefined();
    expect(hexFromS3Checksum(undefined)).toBeUndefined();
  });
});

describe('lambdaValidatorCheck', () => {
  const name = 'lambda:arn:aws:lambda:eu-west-3:111122223333:function:check';

  it('passes or fails on the validator verdict and keeps its counts', () => {
    const ok = lambdaValidatorCheck(
      name,
      { payload: bytes({ passed: true, message: 'ok', counts: { compared: 3 } }) },
      span,
    );
    expect(ok).toMatchObject({ name, status: 'PASSED', message: 'ok', counts: { compared: 3 }, ...span });
    const ko = lambdaValidatorCheck(name, { payload: bytes({ passed: false, message: '2 rows differ' }) }, span);
    expect(ko).toMatchObject({ status: 'FAILED', message: '2 rows differ' });
  });

  it('never trusts a malformed, non-JSON, erroring or oversized answer', () => {
    const cases = [
      { payload: bytes({ passed: 'true', message: 'looks fine' }) },
      { payload: bytes({ passed: true, message: 'ok', extra: 1 }) },
      { payload: new TextEncoder().encode('yes') },
      { payload: bytes({ passed: true, message: 'ok' }), functionError: 'Unhandled' },
      { payload: new Uint8Array(300 * 1024) },
      { payload: undefined },
    ];
    for (const c of cases) expect(lambdaValidatorCheck(name, c, span).status).toBe('ERROR');
  });
});

describe('validation verdict', () => {
  const check = (status: CheckResult['status']): CheckResult => ({
    name: 'x',
    status,
    message: '',
    counts: { compared: 1 },
  });
  it('is SUCCESSFUL only when checks ran and all passed', () => {
    expect(validationStatusOf([check('PASSED'), check('PASSED')])).toBe('SUCCESSFUL');
    expect(validationStatusOf([check('PASSED'), check('ERROR')])).toBe('FAILED');
    expect(validationStatusOf([])).toBe('FAILED');
    expect(validationMessageOf([check('PASSED'), check('FAILED')])).toBe('x PASSED, x FAILED');
  });

  it('reads PercentDone strings', () => {
    expect(percentOf('42.5%')).toBe(42.5);
    expect(percentOf('n/a')).toBeUndefined();
  });
});
