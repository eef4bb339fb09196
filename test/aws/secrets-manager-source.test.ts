/**
 * SecretsManagerSource against moto's Secrets Manager: a tenant's secrets found by the `reversa:tenant` tag over
 * more ListSecrets pages than one, the pre-filter's false positives dropped, scheduled deletions left out, and
 * each value read at the version the listing saw (the escrow names exactly the version it holds).
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerSource } from '#adapters/aws/secrets-manager-source.ts';
import type { SecretRef } from '#core/secrets/ports.ts';
import { recordCommands, uniqueName } from './support.ts';

const sm = new SecretsManagerClient({});
let tenant: string;
let other: string;

async function secret(name: string, tags: Record<string, string>, value: string | Uint8Array): Promise<void> {
  await sm.send(
    new CreateSecretCommand({
      Name: name,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      ...(typeof value === 'string' ? { SecretString: value } : { SecretBinary: value }),
    }),
  );
}

async function listAll(source: SecretsManagerSource, tenantId: string): Promise<SecretRef[]> {
  const refs: SecretRef[] = [];
  for await (const ref of source.list(tenantId)) refs.push(ref);
  return refs;
}

// Secrets Manager is regional and this server is shared: every name carries this file's unique tenant ids.
beforeAll(async () => {
  tenant = uniqueName('tenant');
  other = uniqueName('other');
  const own = Array.from({ length: 105 }, (_, i) =>
    secret(`reversa/${tenant}/db-${String(i).padStart(3, '0')}`, { 'reversa:tenant': tenant }, `password-${i}`),
  );
  await Promise.all([
    ...own,
    secret(`reversa/${tenant}/certificate`, { 'reversa:tenant': tenant }, new Uint8Array([0, 1, 2, 255])),
    secret(`reversa/${other}/db`, { 'reversa:tenant': other }, 'not yours'),
    // Passes ListSecrets' filters (tag-key and tag-value match independently) without being the tenant's.
    secret(`misc/${other}/decoy`, { 'reversa:tenant': other, project: tenant }, 'not yours either'),
    secret(`reversa/${tenant}/retired`, { 'reversa:tenant': tenant }, 'scheduled for deletion'),
  ]);
  await sm.send(new DeleteSecretCommand({ SecretId: `reversa/${tenant}/retired`, RecoveryWindowInDays: 7 }));
});

describe('SecretsManagerSource on moto', () => {
  it("lists every secret tagged with the tenant over several pages, and none of another tenant's", async () => {
    const client = new SecretsManagerClient({});
    const sent = recordCommands(client);

    const refs = await listAll(new SecretsManagerSource({ client }), tenant);

    const names = refs.map((r) => r.name).sort();
    expect(names).toHaveLength(106);
    expect(names).toContain(`reversa/${tenant}/certificate`);
    expect(names.every((n) => n.startsWith(`reversa/${tenant}/`))).toBe(true);
    expect(names).not.toContain(`reversa/${tenant}/retired`);
    const pages = sent.filter((c) => c.command === 'ListSecretsCommand');
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(pages[1]?.input.NextToken).toEqual(expect.any(String));
    expect(refs[0]).toMatchObject({
      version: expect.any(String),
      locator: expect.stringMatching(/^arn:aws:secretsmanager:eu-west-3:\d{12}:secret:reversa\//),
      tags: { 'reversa:tenant': tenant },
    });
  });

  it('reads a string secret as UTF-8 bytes and a binary secret as it is', async () => {
    const source = new SecretsManagerSource();
    const refs = await listAll(source, tenant);
    const byName = (name: string) => refs.find((r) => r.name === `reversa/${tenant}/${name}`) as SecretRef;

    const password = await source.read(byName('db-007'));
    const certificate = await source.read(byName('certificate'));

    expect(Buffer.from(password.bytes()).toString('utf8')).toBe('password-7');
    expect([...certificate.bytes()]).toEqual([0, 1, 2, 255]);
  });

  it('reads the version the listing saw, even after the secret was rotated', async () => {
    const name = `reversa/${tenant}/db-000`;
    const source = new SecretsManagerSource();
    const seen = (await listAll(source, tenant)).find((r) => r.name === name) as SecretRef;

    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'rotated' }));
    const value = await source.read(seen);
    const now = (await listAll(source, tenant)).find((r) => r.name === name) as SecretRef;

    expect(Buffer.from(value.bytes()).toString('utf8')).toBe('password-0');
    expect(now.version).not.toBe(seen.version);
    expect(Buffer.from((await source.read(now)).bytes()).toString('utf8')).toBe('rotated');
  });

  it('finds secrets by name prefix when the provider names them `reversa/<tenant>/…` instead of tagging', async () => {
    const refs = await listAll(new SecretsManagerSource({ select: { by: 'prefix' } }), other);

    expect(refs.map((r) => r.name)).toEqual([`reversa/${other}/db`]);
  });
});
