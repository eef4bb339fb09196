import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '#core/errors.ts';
import { applyStrategy } from '#core/use-cases/apply-strategy.ts';
import { type CloudFixture, startTestCloud } from '../../support/local-cloud.ts';

let fx: CloudFixture;
let acme: string;
beforeAll(async () => {
  fx = await startTestCloud();
  acme = await readFile(new URL('../../../examples/acme.strategy.yaml', import.meta.url), 'utf8');
});
afterAll(async () => fx.stop());

describe('applyStrategy', () => {
  it('stores version 1, routes the declared AWS accounts and marks the tenant dirty', async () => {
    const result = await applyStrategy(fx.adapters, { text: acme, fileName: 'acme.yaml', author: 'alice', now: 1_000 });

    expect(result).toMatchObject({
      created: true,
      version: { tenantId: 'acme', version: 1, author: 'alice', source: acme },
    });
    expect(await fx.adapters.tenants.tenantForAwsAccount('111122223333')).toBe('acme');
    expect((await fx.adapters.tenants.get('acme'))?.dirtySince).toBe(1_000);
    expect(await fx.adapters.strategies.listTenants()).toContain('acme');
  });

  it('returns the existing version when the same document is applied again', async () => {
    const first = await applyStrategy(fx.adapters, { text: acme, fileName: 'acme.yaml', author: 'alice', now: 1_000 });

    const again = await applyStrategy(fx.adapters, { text: acme, fileName: 'acme.yaml', author: 'bob', now: 2_000 });

    expect(again).toEqual({ version: first.version, created: false });
  });

  it('records each new version, and only new versions, in the tenant audit log', async () => {
    const text = acme
      .replace('id: acme', 'id: audited')
      .replace('"111122223333"', '"222233334444"')
      .replace(/111122223333/g, '222233334444');
    await applyStrategy(fx.adapters, { text, fileName: 'audited.yaml', author: 'alice', now: 1_000 });
    await applyStrategy(fx.adapters, { text, fileName: 'audited.yaml', author: 'alice', now: 2_000 });

    const head = await fx.adapters.audit.store.headEntry('audited');

    expect(head?.seq).toBe(1);
    expect(JSON.parse(head?.body ?? '{}')).toMatchObject({
      type: 'strategy-change',
      summary: { version: 1, author: 'alice' },
    });
  });

  it('gives concurrent applies of different documents distinct versions', async () => {
    const texts = [1, 2, 3, 4].map((n) => acme.replace('name: ACME Industries', `name: ACME Industries ${n}`));

    const results = await Promise.all(
      texts.map((text, i) => applyStrategy(fx.adapters, { text, fileName: 'acme.yaml', author: 'ci', now: 5_000 + i })),
    );

    const versions = results.map((r) => r.version.version);
    expect(new Set(versions).size).toBe(4);
  });

  it('rejects an invalid document with a ValidationError and stores nothing', async () => {
    const invalid = acme.replace('id: acme', 'id: Not A Valid Id');

    await expect(
      applyStrategy(fx.adapters, { text: invalid, fileName: 'bad.yaml', author: 'alice', now: 1_000 }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await fx.adapters.strategies.listTenants()).not.toContain('Not A Valid Id');
  });
});
