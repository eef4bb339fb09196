import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#core/errors.ts';
import { bundlePath, decodeSecretBundle, encodeSecretBundle } from '#core/secrets/bundle.ts';
import { SecretValue } from '#core/secrets/ports.ts';

const mtime = new Date('2025-03-01T10:00:00Z');

describe('secrets bundle', () => {
  it('round-trips arbitrary names and bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(
          fc.record({ name: fc.string({ minLength: 1, maxLength: 300 }), value: fc.uint8Array({ maxLength: 2048 }) }),
          {
            selector: (e) => e.name,
            maxLength: 8,
          },
        ),
        async (items) => {
          const plain = await encodeSecretBundle(
            items.map((i, n) => ({
              ref: { name: i.name, version: String(n), lastChangedAt: 1_700_000_000_000 + n },
              value: SecretValue.copyOf(i.value),
            })),
            mtime,
          );
          const decoded = await decodeSecretBundle(plain);
          const byName = new Map(decoded.map((e) => [e.ref.name, e]));
          expect(decoded).toHaveLength(items.length);
          for (const [n, item] of items.entries()) {
            const entry = byName.get(item.name)!;
            expect(entry.ref.version).toBe(String(n));
            expect(entry.ref.lastChangedAt).toBe(1_700_000_000_000 + n);
            expect(Buffer.from(entry.value.bytes())).toEqual(Buffer.from(item.value));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('maps names to flat, safe tar members that stock tar lists', async () => {
    expect(bundlePath('reversa/acme/db password')).toBe('secrets/reversa%2Facme%2Fdb%20password');
    expect(bundlePath('..')).toBe('secrets/%2E.');
    const plain = await encodeSecretBundle(
      [
        { ref: { name: 'reversa/acme/db' }, value: SecretValue.fromUtf8('pw') },
        { ref: { name: 'x'.repeat(200) }, value: SecretValue.fromUtf8('long name') },
      ],
      mtime,
    );
    const listed = spawnSync('tar', ['-t'], { input: plain }).stdout.toString().trim().split('\n');
    expect(listed).toEqual(['index.json', 'secrets/reversa%2Facme%2Fdb', `secrets/${'x'.repeat(200)}`]);
    const one = spawnSync('tar', ['-xO', 'secrets/reversa%2Facme%2Fdb'], { input: plain }).stdout.toString();
    expect(one).toBe('pw');
  });

  it('refuses duplicate names by position', async () => {
    const dup = [
      { ref: { name: 'a' }, value: SecretValue.fromUtf8('1') },
      { ref: { name: 'a' }, value: SecretValue.fromUtf8('2') },
    ];
    await expect(encodeSecretBundle(dup, mtime)).rejects.toThrow(/secrets\[1\]: duplicate secret name/);
  });

  it('reports a non-tar input without echoing it', async () => {
    const canary = Buffer.from('canary-not-a-tar-'.repeat(64));
    const error = await decodeSecretBundle(canary).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(String((error as Error).message)).not.toContain('canary');
  });
});
