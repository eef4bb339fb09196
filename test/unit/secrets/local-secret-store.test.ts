import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalSecretStore, STORE_IDENTITY_FILE } from '#adapters/local/local-secret-store.ts';
import { ConfigError, NotFoundError, ValidationError } from '#core/errors.ts';
import type { SecretRef } from '#core/secrets/ports.ts';

async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Every textual form a leak could take on disk or in a message. */
function leakForms(canary: string): string[] {
  const b = Buffer.from(canary);
  return [canary, b.toString('base64'), b.toString('hex'), b.toString('base64url')];
}

async function collect(refs: AsyncIterable<SecretRef>): Promise<SecretRef[]> {
  const out: SecretRef[] = [];
  for await (const ref of refs) out.push(ref);
  return out;
}

describe('LocalSecretStore', () => {
  let dir: string;
  let now: number;
  let store: LocalSecretStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reversa-secrets-'));
    now = Date.parse('2025-03-01T10:00:00Z');
    store = new LocalSecretStore({ dir, clock: { now: () => now } });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores, lists, reads, versions and deletes secrets per tenant', async () => {
    await store.put('acme', 'db/password', new TextEncoder().encode('first'));
    now += 60_000;
    await store.put('acme', 'db/password', new TextEncoder().encode('second'), { tags: { env: 'prod' } });
    await store.put('acme', 'api-token', new TextEncoder().encode('tok'));
    await store.put('other', 'db/password', new TextEncoder().encode('not acme'));

    const refs = await collect(store.list('acme'));
    expect(refs.map((r) => [r.name, r.version])).toEqual([
      ['api-token', '1'],
      ['db/password', '2'],
    ]);
    expect(refs[1]).toMatchObject({ lastChangedAt: now, tags: { env: 'prod' } });
    const value = await store.read(refs[1]!);
    expect(value.use((b) => Buffer.from(b).toString())).toBe('second');

    expect(await store.delete('acme', 'api-token')).toBe(true);
    expect(await store.delete('acme', 'api-token')).toBe(false);
    expect((await collect(store.list('acme'))).map((r) => r.name)).toEqual(['db/password']);
    expect(await collect(store.list('nobody'))).toEqual([]);
  });

  it('refuses to read a version that was rotated away after listing', async () => {
    await store.put('acme', 'k', new TextEncoder().encode('v1'));
    const [ref] = await collect(store.list('acme'));
    await store.put('acme', 'k', new TextEncoder().encode('v2'));
    await expect(store.read(ref!)).rejects.toThrow(NotFoundError);
  });

  it('keeps only age ciphertext on disk, under a 0600 key that stock age opens', async () => {
    await store.put('acme', 'db/password', new TextEncoder().encode('hunter2'));
    const keyFile = join(dir, STORE_IDENTITY_FILE);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'tenants', 'acme.age'))).mode & 0o777).toBe(0o600);
    const ciphertext = await readFile(join(dir, 'tenants', 'acme.age'));
    expect(ciphertext.subarray(0, 21).toString()).toBe('age-encryption.org/v1');

    const decrypted = spawnSync('age', ['-d', '-i', keyFile, join(dir, 'tenants', 'acme.age')]);
    expect(decrypted.status).toBe(0);
    const value = spawnSync('tar', ['-xO', 'secrets/db%2Fpassword'], { input: decrypted.stdout });
    expect(value.stdout.toString()).toBe('hunter2');
  });

  it('imports a secret from a stream and refuses one over the size cap', async () => {
    await store.importFrom('acme', 'from-stdin', Readable.from([Buffer.from('part1-'), Buffer.from('part2')]));
    const [ref] = await collect(store.list('acme'));
    expect((await store.read(ref!)).use((b) => Buffer.from(b).toString())).toBe('part1-part2');
    await expect(store.importFrom('acme', 'big', Readable.from([Buffer.alloc(32)]), { maxBytes: 16 })).rejects.toThrow(
      ValidationError,
    );
  });

  it('refuses a key file that group or others can read', async () => {
    await store.put('acme', 'k', new TextEncoder().encode('v'));
    await chmod(join(dir, STORE_IDENTITY_FILE), 0o644);
    const fresh = new LocalSecretStore({ dir });
    await expect(collect(fresh.list('acme'))).rejects.toThrow(ConfigError);
  });

  it('never writes a planted canary to disk nor echoes it in errors', async () => {
    const canaries = Array.from({ length: 5 }, () => `CANARY-${randomUUID()}`);
    for (const [i, canary] of canaries.entries())
      await store.put('acme', `secret-${i}`, new TextEncoder().encode(canary));
    await store.put('acme', 'secret-0', new TextEncoder().encode(canaries[0]!)); // a rewrite too
    const leaks = canaries.flatMap(leakForms);

    const errors: unknown[] = [];
    const capture = async (p: Promise<unknown>) => {
      errors.push(await p.then(() => 'no error').catch((e: unknown) => e));
    };
    await capture(store.put('BAD TENANT', 'x', new TextEncoder().encode(canaries[1]!)));
    await capture(store.put('acme', 'x', new TextEncoder().encode(canaries[1]!.repeat(100_000))));
    await capture(store.put('acme', '\u0000bad', new TextEncoder().encode(canaries[1]!)));
    await capture(store.read({ name: 'secret-1', locator: 'acme/secret-1', version: '99' }));
    await capture(store.read({ name: 'secret-1' }));
    const tenantFile = join(dir, 'tenants', 'acme.age');
    const good = await readFile(tenantFile);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 5]! ^= 0xff;
    await writeFile(tenantFile, flipped);
    await capture(collect(store.list('acme')));
    await writeFile(tenantFile, good);
    const read = await store.read((await collect(store.list('acme')))[2]!);
    const shown = [inspect(read), JSON.stringify({ read }), String(read)];

    const files = await allFiles(dir);
    expect(files.length).toBeGreaterThanOrEqual(2);
    const texts = [
      ...(await Promise.all(files.map(async (f) => (await readFile(f)).toString('latin1')))),
      ...errors.map((e) => (e instanceof Error ? `${e.name} ${e.message} ${inspect(e)}` : String(e))),
      ...shown,
    ];
    expect(errors.every((e) => e instanceof Error)).toBe(true);
    for (const text of texts) for (const leak of leaks) expect(text).not.toContain(leak);
  });
});
