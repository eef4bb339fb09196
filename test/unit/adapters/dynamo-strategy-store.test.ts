import { createHash } from 'node:crypto';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '#adapters/aws/dynamo-keys.ts';
import { DynamoStrategyStore } from '#adapters/aws/dynamo-strategy-store.ts';
import { documentClient } from '#adapters/aws/dynamo-support.ts';
import type { StoredStrategyVersion } from '#core/ports.ts';
import { type CloudFixture, startTestCloud, uniqueTenant } from '../../support/local-cloud.ts';

let fx: CloudFixture;
beforeAll(async () => {
  fx = await startTestCloud();
});
afterAll(async () => fx.stop());

function draft(tenantId: string, content: string): Omit<StoredStrategyVersion, 'version'> {
  return {
    tenantId,
    contentSha256: `sha-of-${content}`,
    appliedAt: 1_000,
    author: 'alice',
    source: content,
    fileName: 'strategy.yaml',
  };
}

describe('DynamoStrategyStore', () => {
  it('numbers new versions 1, 2, … and keeps every earlier version unchanged', async () => {
    const tenant = uniqueTenant('versions');

    const v1 = await fx.adapters.strategies.putVersion(draft(tenant, 'first'));
    const v2 = await fx.adapters.strategies.putVersion(draft(tenant, 'second'));

    expect(v1).toMatchObject({ created: true, version: { version: 1, source: 'first' } });
    expect(v2).toMatchObject({ created: true, version: { version: 2, source: 'second' } });
    expect(await fx.adapters.strategies.getVersion(tenant, 1)).toEqual(v1.version);
    expect(await fx.adapters.strategies.getCurrent(tenant)).toEqual(v2.version);
  });

  it('returns the current version, not a new one, when the same content is applied again', async () => {
    const tenant = uniqueTenant('same');
    const first = await fx.adapters.strategies.putVersion(draft(tenant, 'only'));

    const again = await fx.adapters.strategies.putVersion({
      ...draft(tenant, 'only'),
      appliedAt: 9_999,
      author: 'bob',
    });

    expect(again).toEqual({ version: first.version, created: false });
  });

  it('gives concurrent applies distinct, gap-free version numbers', async () => {
    const tenant = uniqueTenant('race');
    const contents = Array.from({ length: 12 }, (_, i) => `content-${i}`);

    const results = await Promise.all(contents.map((c) => fx.adapters.strategies.putVersion(draft(tenant, c))));

    const numbers = results.map((r) => r.version.version).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    for (const r of results) {
      expect((await fx.adapters.strategies.getVersion(tenant, r.version.version))?.source).toBe(r.version.source);
    }
  });

  it('lists every tenant that has a strategy', async () => {
    const a = uniqueTenant('list');
    const b = uniqueTenant('list');
    await fx.adapters.strategies.putVersion(draft(a, 'x'));
    await fx.adapters.strategies.putVersion(draft(b, 'y'));

    const tenants = await fx.adapters.strategies.listTenants();

    expect(tenants).toEqual(expect.arrayContaining([a, b]));
  });

  it('reads the current version again and again with its exact text, even after the item is replaced', async () => {
    const tenant = uniqueTenant('reread');
    const hashed = (text: string) => ({
      ...draft(tenant, text),
      contentSha256: createHash('sha256').update(text, 'utf8').digest('hex'),
    });
    const store = new DynamoStrategyStore({ tableName: fx.cloud.tableName, client: fx.adapters.clients.dynamodb });
    const { version: v1 } = await store.putVersion(hashed('first text'));
    expect(await store.getCurrent(tenant)).toEqual(v1);
    expect(await store.getCurrent(tenant)).toEqual(v1);

    const { version: v2 } = await store.putVersion(hashed('second text'));
    expect(await store.getCurrent(tenant)).toEqual(v2);

    // The tenant's data removed and applied again from scratch: version 2 now holds another text.
    const doc = documentClient(fx.adapters.clients.dynamodb);
    const key = { pk: keys.strategyPk(tenant), sk: keys.strategyVersionSk(2) };
    await doc.send(new DeleteCommand({ TableName: fx.cloud.tableName, Key: key }));
    const replaced = { ...hashed('replacing text'), version: 2, author: 'carol' };
    await doc.send(new PutCommand({ TableName: fx.cloud.tableName, Item: { ...key, ...replaced } }));
    expect(await store.getCurrent(tenant)).toEqual(replaced);
    expect(await store.getCurrent(tenant)).toEqual(replaced);
  });

  it('has no current version for a tenant that never applied one', async () => {
    expect(await fx.adapters.strategies.getCurrent('never-applied')).toBeUndefined();
  });
});
