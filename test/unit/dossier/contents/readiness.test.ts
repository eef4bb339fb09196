import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  diffSummary,
  type FingerprintInputs,
  inputsFingerprint,
  manifestIndexOf,
  readiness,
} from '#core/dossier/readiness.ts';

const BASE: FingerprintInputs = {
  strategySha256: 'a'.repeat(64),
  inventorySha256: 'b'.repeat(64),
  configurations: [
    { key: 'config/acme/fw.json', etag: '"e1"', lastModified: 1 },
    { key: 'config/acme/vpc.yaml', sha256: 'c'.repeat(64), lastModified: 2 },
  ],
  procedures: [{ key: 'procedures/acme/dr.md', etag: '"p1"', lastModified: 3 }],
  secrets: [
    { name: 'acme/db', version: 'v1', lastChangedAt: 10 },
    { name: 'acme/restic', version: 'r1', lastChangedAt: 11 },
  ],
  restoreEvidenceHead: 'd'.repeat(64),
};
const exported = { fingerprint: inputsFingerprint(BASE), version: 1, exportedAt: 1000 };

describe('dossier readiness', () => {
  it('is never-exported before the first export', () => {
    expect(readiness(undefined, inputsFingerprint(BASE)).status).toBe('never-exported');
  });

  it('is ready while nothing changed, whatever order the stores list things in', () => {
    const relisted: FingerprintInputs = {
      ...BASE,
      configurations: [...BASE.configurations].reverse(),
      secrets: [...BASE.secrets].reverse(),
    };

    expect(readiness(exported, inputsFingerprint(relisted))).toEqual({
      status: 'ready',
      changed: [],
      lastVersion: 1,
      lastExportedAt: 1000,
    });
  });

  it.each<[string, FingerprintInputs, string]>([
    ['the strategy', { ...BASE, strategySha256: 'f'.repeat(64) }, 'strategy'],
    ['the inventory', { ...BASE, inventorySha256: 'f'.repeat(64) }, 'inventory'],
    [
      'a configuration file',
      { ...BASE, configurations: [{ ...BASE.configurations[0]!, etag: '"e2"' }, BASE.configurations[1]!] },
      'configurations',
    ],
    [
      'a new configuration file',
      { ...BASE, configurations: [...BASE.configurations, { key: 'config/acme/new', etag: 'x', lastModified: 5 }] },
      'configurations',
    ],
    ['a runbook', { ...BASE, procedures: [{ ...BASE.procedures[0]!, lastModified: 4 }] }, 'procedures'],
    ['a removed runbook', { ...BASE, procedures: [] }, 'procedures'],
    [
      'a secret rotation',
      { ...BASE, secrets: [{ ...BASE.secrets[0]!, version: 'v2', lastChangedAt: 20 }, BASE.secrets[1]!] },
      'secrets',
    ],
    ['new restore evidence', { ...BASE, restoreEvidenceHead: 'e'.repeat(64) }, 'restoreEvidence'],
  ])('is stale after a change of %s, naming that input group only', (_what, changed, group) => {
    expect(readiness(exported, inputsFingerprint(changed))).toMatchObject({ status: 'stale', changed: [group] });
  });

  it('writes canonical JSON with sorted keys and no undefined fields', () => {
    expect(canonicalJson({ b: 1, a: [{ d: undefined, c: 'x' }] })).toBe('{"a":[{"c":"x"}],"b":1}');
  });
});

describe('what changed between two dossier versions', () => {
  const h = (c: string) => c.repeat(64);
  const v1 = manifestIndexOf(
    [
      `${h('1')}  data/procedures/runbooks/dr.md`,
      `${h('2')}  data/procedures/runbooks/network.md`,
      `${h('3')}  data/procedures/generated/strategy.md`,
      `${h('4')}  data/credentials/escrow.age`,
      `${h('5')}  data/inventory/inventory.json`,
      '',
    ].join('\n'),
  );
  const v2 = manifestIndexOf(
    [
      `${h('a')}  data/procedures/runbooks/dr.md`,
      `${h('b')}  data/procedures/runbooks/network.md`,
      `${h('c')}  data/procedures/generated/strategy.md`,
      `${h('d')}  data/credentials/escrow.age`,
      `${h('5')}  data/inventory/inventory.json`,
      `${h('6')}  data/configurations/fw.json`,
    ].join('\r\n'),
  );

  it('summarises "3 procedures changed, 1 secret rotated" from the manifests and the secret versions', () => {
    const diff = diffSummary(v1, v2, {
      previous: [{ name: 'acme/db', version: 'v1', lastChangedAt: 1 }],
      current: [{ name: 'acme/db', version: 'v2', lastChangedAt: 2 }],
    });

    expect(diff.summary).toBe('1 configuration added, 3 procedures changed, 1 secret rotated');
    expect(diff.groups.procedures?.changed).toEqual([
      'data/procedures/generated/strategy.md',
      'data/procedures/runbooks/dr.md',
      'data/procedures/runbooks/network.md',
    ]);
    expect(diff.groups.credentials).toBeUndefined();
    expect(diff.secrets).toEqual({ added: [], removed: [], rotated: ['acme/db'] });
  });

  it('judges the escrow by its hash when no secret versions are given, and reports removals', () => {
    const diff = diffSummary(v2, new Map([...v2].filter(([p]) => !p.includes('network'))));

    expect(diff.summary).toBe('1 procedure removed');
    expect(diffSummary(v1, v2).groups.credentials?.changed).toEqual(['data/credentials/escrow.age']);
  });

  it('says "no change" between identical versions', () => {
    expect(diffSummary(v1, v1).summary).toBe('no change');
  });
});
