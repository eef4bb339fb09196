import { describe, expect, it } from 'vitest';
import { loadConfig, localCloudEnv, reversaHome } from '#config';
import { ConfigError } from '#core/errors.ts';

describe('loadConfig', () => {
  it('reports every missing required variable in one error', () => {
    const load = () => loadConfig(['tableName', 'dataBucket', 'eventBusName'], { REVERSA_DATA_BUCKET: 'b' });

    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/REVERSA_TABLE, REVERSA_EVENT_BUS/);
  });

  it('treats a blank value as missing rather than as a resource name', () => {
    expect(() => loadConfig(['tableName'], { REVERSA_TABLE: '  ' })).toThrow(/REVERSA_TABLE/);
  });

  it('returns required and present optional keys, nothing invented', () => {
    const config = loadConfig(['tableName'], { REVERSA_TABLE: 't', POWERTOOLS_SERVICE_NAME: 'svc' });

    expect(config).toEqual({ tableName: 't', serviceName: 'svc' });
  });
});

describe('localCloudEnv', () => {
  it('sets dummy credentials, the region, checksum mode and both endpoints', () => {
    const env = localCloudEnv({ dynamodb: 'http://127.0.0.1:1', s3: 'http://127.0.0.1:2' });

    expect(env).toMatchObject({
      AWS_REGION: 'eu-west-3',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:2',
    });
    expect(env.AWS_ACCESS_KEY_ID).toBeTruthy();
  });

  it('makes loadConfig succeed for the local resources when names are given', () => {
    const env = localCloudEnv(
      { dynamodb: 'http://127.0.0.1:1', s3: 'http://127.0.0.1:2' },
      {
        tableName: 'main',
        idempotencyTableName: 'idem',
        bucketName: 'data',
        auditBucketName: 'audit',
        dossierBucketName: 'dossiers',
      },
    );

    expect(loadConfig(['tableName', 'idempotencyTableName', 'dataBucket', 'eventBusName'], env)).toMatchObject({
      tableName: 'main',
      idempotencyTableName: 'idem',
      dataBucket: 'data',
    });
  });
});

describe('reversaHome', () => {
  it('prefers REVERSA_HOME and falls back to .reversa in the working directory', () => {
    expect(reversaHome('/work', { REVERSA_HOME: '/data/rv' })).toBe('/data/rv');
    expect(reversaHome('/work', {})).toBe('/work/.reversa');
  });
});
