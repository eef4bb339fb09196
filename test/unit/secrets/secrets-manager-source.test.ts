import {
  GetSecretValueCommand,
  ListSecretsCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SecretsManagerSource } from '#adapters/aws/secrets-manager-source.ts';
import { ConfigError, NotFoundError, TransientError } from '#core/errors.ts';
import type { SecretRef } from '#core/secrets/ports.ts';

const sm = mockClient(SecretsManagerClient);
const CANARY = 'CANARY-7d0c1f4e-aws-secret';
const arn = (name: string) => `arn:aws:secretsmanager:eu-west-3:111122223333:secret:${name}-AbCdEf`;

async function collect(refs: AsyncIterable<SecretRef>): Promise<SecretRef[]> {
  const out: SecretRef[] = [];
  for await (const ref of refs) out.push(ref);
  return out;
}

function serviceError(name: string, status: number, message = `${name} happened`) {
  return new SecretsManagerServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message,
  });
}

describe('SecretsManagerSource', () => {
  beforeEach(() => sm.reset());

  it('lists a tenant by tag across pages, keeping only secrets whose tag really matches', async () => {
    const changed = new Date('2025-02-01T08:00:00Z');
    sm.on(ListSecretsCommand)
      .resolvesOnce({
        SecretList: [
          {
            Name: 'acme-db',
            ARN: arn('acme-db'),
            LastChangedDate: changed,
            Tags: [{ Key: 'reversa:tenant', Value: 'acme' }],
            SecretVersionsToStages: { 'v-old': ['AWSPREVIOUS'], 'v-cur': ['AWSCURRENT'] },
          },
          // tag-key and tag-value filters match independently: this one has the value on another key
          {
            Name: 'imposter',
            ARN: arn('imposter'),
            Tags: [
              { Key: 'reversa:tenant', Value: 'beta' },
              { Key: 'x', Value: 'acme' },
            ],
          },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        SecretList: [{ Name: 'acme-api', ARN: arn('acme-api'), Tags: [{ Key: 'reversa:tenant', Value: 'acme' }] }],
      });

    const refs = await collect(new SecretsManagerSource({ client: new SecretsManagerClient({}) }).list('acme'));

    expect(refs).toEqual([
      {
        name: 'acme-db',
        version: 'v-cur',
        lastChangedAt: changed.getTime(),
        tags: { 'reversa:tenant': 'acme' },
        locator: arn('acme-db'),
      },
      { name: 'acme-api', tags: { 'reversa:tenant': 'acme' }, locator: arn('acme-api') },
    ]);
    const calls = sm.commandCalls(ListSecretsCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      {
        Filters: [
          { Key: 'tag-key', Values: ['reversa:tenant'] },
          { Key: 'tag-value', Values: ['acme'] },
        ],
        MaxResults: 100,
        IncludePlannedDeletion: false,
      },
      {
        Filters: [
          { Key: 'tag-key', Values: ['reversa:tenant'] },
          { Key: 'tag-value', Values: ['acme'] },
        ],
        MaxResults: 100,
        IncludePlannedDeletion: false,
        NextToken: 'page-2',
      },
    ]);
  });

  it('lists a tenant by name prefix and drops names that only contain the prefix elsewhere', async () => {
    sm.on(ListSecretsCommand).resolves({
      SecretList: [
        { Name: 'reversa/acme/db', ARN: arn('reversa/acme/db') },
        { Name: 'old/reversa/acme/db', ARN: arn('old') },
      ],
    });
    const source = new SecretsManagerSource({ client: new SecretsManagerClient({}), select: { by: 'prefix' } });
    const refs = await collect(source.list('acme'));
    expect(refs.map((r) => r.name)).toEqual(['reversa/acme/db']);
    expect(sm.commandCalls(ListSecretsCommand)[0]!.args[0].input.Filters).toEqual([
      { Key: 'name', Values: ['reversa/acme/'] },
    ]);
  });

  it('reads the listed version by ARN, binary or string', async () => {
    sm.on(GetSecretValueCommand, { SecretId: arn('bin'), VersionId: 'v1' })
      .resolves({ SecretBinary: new Uint8Array([0, 255, 7]) })
      .on(GetSecretValueCommand, { SecretId: arn('str') })
      .resolves({ SecretString: 'héllo' });
    const source = new SecretsManagerSource({ client: new SecretsManagerClient({}) });

    const bin = await source.read({ name: 'bin', version: 'v1', locator: arn('bin') });
    const str = await source.read({ name: 'str', locator: arn('str') });

    expect([...bin.bytes()]).toEqual([0, 255, 7]);
    expect(str.use((b) => Buffer.from(b).toString('utf8'))).toBe('héllo');
    expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: arn('bin'), VersionId: 'v1' },
      { SecretId: arn('str') },
    ]);
  });

  it('turns throttling and 5xx into TransientError, access problems into ConfigError, absence into NotFoundError', async () => {
    const source = new SecretsManagerSource({ client: new SecretsManagerClient({}) });
    sm.on(ListSecretsCommand).rejects(serviceError('ThrottlingException', 400));
    await expect(collect(source.list('acme'))).rejects.toThrow(TransientError);
    sm.reset();
    sm.on(ListSecretsCommand).rejects(serviceError('InternalServiceError', 500));
    await expect(collect(source.list('acme'))).rejects.toThrow(TransientError);
    sm.reset();
    sm.on(ListSecretsCommand).rejects(serviceError('AccessDeniedException', 400));
    await expect(collect(source.list('acme'))).rejects.toThrow(ConfigError);
    sm.reset();
    sm.on(GetSecretValueCommand).rejects(
      new ResourceNotFoundException({ $metadata: { httpStatusCode: 400 }, message: 'not here' }),
    );
    await expect(source.read({ name: 'gone' })).rejects.toThrow(NotFoundError);
  });

  it('never copies an SDK message (which could hold anything) into its own errors', async () => {
    const source = new SecretsManagerSource({ client: new SecretsManagerClient({}) });
    for (const [name, status] of [
      ['ThrottlingException', 400],
      ['AccessDeniedException', 400],
      ['DecryptionFailure', 400],
      ['ResourceNotFoundException', 400],
    ] as const) {
      sm.reset();
      sm.on(GetSecretValueCommand).rejects(serviceError(name, status, `value was ${CANARY}`));
      const error = (await source.read({ name: 'db' }).catch((e: unknown) => e)) as Error;
      expect(error.message).not.toContain(CANARY);
      expect(error.message).toContain(name);
    }
  });
});
