import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('has no current version for a tenant that never applied one', async () => {
    expect(await fx.adapters.strategies.getCurrent('never-applied')).toBeUndefined();
  });
});
