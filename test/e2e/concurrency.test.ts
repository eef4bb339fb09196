import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshHome, reversa } from './cli-support.ts';

const strategy = (tenant: string) =>
  [
    'apiVersion: reversa/v1',
    `tenant: { id: ${tenant}, name: Tenant ${tenant} }`,
    'timezone: UTC',
    'defaults: { rpo: 24h, retention: 7d }',
    'resources:',
    `  - { locator: "nas://${tenant}/share", source: generic }`,
    '',
  ].join('\n');

describe('commands on one home', () => {
  it('wait for each other instead of crashing: three strategy apply at once all succeed', async () => {
    const env = await freshHome('concurrent');
    const files = await Promise.all(
      ['t-one', 't-two', 't-three'].map(async (tenant) => {
        const file = join(env.REVERSA_HOME as string, `${tenant}.yaml`);
        await writeFile(file, strategy(tenant));
        return file;
      }),
    );

    const runs = await Promise.all(files.map((file) => reversa(['strategy', 'apply', file], env)));
    const shown = await reversa(['strategy', 'show', '--tenant', 't-two', '--json'], env);

    expect(runs.map((r) => [r.code, r.stderr.replace(/waiting for .*\n/g, '')])).toEqual([
      [0, ''],
      [0, ''],
      [0, ''],
    ]);
    expect(runs.some((r) => /waiting for 'reversa strategy apply .*' \(pid \d+/.test(r.stderr))).toBe(true);
    expect(shown.code).toBe(0);
  });

  it('reports a mistyped tenant as a usage error naming the known tenants', async () => {
    const env = await freshHome('typo');
    const file = join(env.REVERSA_HOME as string, 'acme.yaml');
    await writeFile(file, strategy('acme'));
    await reversa(['strategy', 'apply', file], env);

    const typo = await reversa(['verify', '--tenant', 'acmee'], env);

    expect(typo.code).toBe(2);
    expect(typo.stderr.trim()).toBe("no tenant 'acmee': known tenants: acme");
  });
});
