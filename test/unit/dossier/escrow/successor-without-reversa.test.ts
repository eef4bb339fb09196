import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sealEscrow } from '#core/dossier/escrow/seal.ts';
import { ageKeygen, filesOf, memorySource } from './escrow-fixture.ts';

/** The recombination script exactly as docs/escrow.md gives it to successors. */
function documentedScript(): string {
  const doc = readFileSync(new URL('../../../../docs/escrow.md', import.meta.url), 'utf8');
  const match = /cat <<'JS'\n([\s\S]*?)\n\s*JS\n/.exec(doc);
  if (!match) throw new Error('docs/escrow.md lost its recombination script');
  return match[1]!.replace(/^ {3}/gm, '');
}

describe('a successor without Reversa', () => {
  const keys = Array.from({ length: 4 }, ageKeygen);
  const work = mkdtempSync(join(tmpdir(), 'reversa-successor-'));
  afterAll(() => {
    for (const key of keys) key.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('recombines 2 of 3 shares with the documented script, checks the key with age-keygen -y and decrypts with age', async () => {
    const [successor, ...custodians] = keys;
    const sealed = await sealEscrow({
      source: memorySource('acme', { 'db-password': 'documented-path-value' }),
      tenantId: 'acme',
      recipients: [successor!.recipient],
      custodians: { recipients: custodians.map((c) => c.recipient), threshold: 2 },
      now: new Date('2025-03-01T10:00:00Z'),
    });
    const files = filesOf(sealed);
    const shareTexts = [1, 3].map((i) => {
      const out = join(work, `share-${i}.txt`);
      const run = spawnSync('age', ['-d', '-i', custodians[i - 1]!.file, '-o', out], {
        input: files.get(`shares/share-${i}-of-3.age`),
      });
      expect(run.status).toBe(0);
      return out;
    });

    const combined = spawnSync(process.execPath, ['--input-type=module', '-e', documentedScript(), ...shareTexts], {
      cwd: process.cwd(),
    });
    expect(combined.stderr.toString()).toBe('');
    const keyFile = join(work, 'escrow-key.txt');
    writeFileSync(keyFile, combined.stdout, { mode: 0o600 });

    const recipient = spawnSync('age-keygen', ['-y', keyFile]).stdout.toString().trim();
    expect(recipient).toBe(files.get('escrow-public.txt').toString().trim());
    const decrypted = spawnSync('age', ['-d', '-i', keyFile], { input: files.get('secrets.age') });
    expect(decrypted.status).toBe(0);
    const value = spawnSync('tar', ['-xO', 'secrets/db-password'], { input: decrypted.stdout });
    expect(value.stdout.toString()).toBe('documented-path-value');
  });

  it('gets a key that age-keygen -y rejects or that differs from escrow-public.txt when one share is missing', async () => {
    const [successor, ...custodians] = keys;
    const sealed = await sealEscrow({
      source: memorySource('acme', { k: 'v' }),
      tenantId: 'acme',
      recipients: [successor!.recipient],
      custodians: { recipients: custodians.map((c) => c.recipient), threshold: 3 },
      now: new Date('2025-03-01T10:00:00Z'),
    });
    const files = filesOf(sealed);
    const shareTexts = [1, 2].map((i) => {
      const out = join(work, `short-${i}.txt`);
      spawnSync('age', ['-d', '-i', custodians[i - 1]!.file, '-o', out], {
        input: files.get(`shares/share-${i}-of-3.age`),
      });
      return out;
    });
    const combined = spawnSync(process.execPath, ['--input-type=module', '-e', documentedScript(), ...shareTexts]);
    const keyFile = join(work, 'short-key.txt');
    writeFileSync(keyFile, combined.stdout, { mode: 0o600 });
    const check = spawnSync('age-keygen', ['-y', keyFile]);
    expect(
      check.status !== 0 || check.stdout.toString().trim() !== files.get('escrow-public.txt').toString().trim(),
    ).toBe(true);
  });
});
