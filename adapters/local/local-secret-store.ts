/**
 * The local secret store: what Secrets Manager is to a deployment, for one machine.
 *
 * Encryption at rest: each tenant's secrets are one age file (`tenants/<tenant>.age`, binary age v1,
 * content = the same tar bundle as the escrow) encrypted to the store's own X25519 identity, kept in
 * `store-identity.txt` (mode 0600, directory 0700) in age-keygen's format. Why age rather than
 * AES-256-GCM with a key file: one crypto stack for the whole escrow path, a fresh file key and
 * nonce per write (no nonce bookkeeping), authenticated, and an operator can recover the store
 * with stock tools alone: `age -d -i store-identity.txt tenants/acme.age | tar -t`.
 *
 * Plaintext never touches disk: a write decrypts in memory, changes, re-encrypts, writes the
 * ciphertext to a 0600 temp file and renames it over the old one (atomic on POSIX). Writes to one
 * tenant are serialised inside this process; separate processes writing the same tenant at the
 * same moment are not coordinated (last rename wins), which is fine for a CLI and a demo.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Decrypter, Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { ConfigError, NotFoundError, ValidationError } from '#core/errors.ts';
import { type Clock, systemClock } from '#core/ports.ts';
import { BUNDLE_LIMITS, type BundleEntry, decodeSecretBundle, encodeSecretBundle } from '#core/secrets/bundle.ts';
import { type SecretRef, type SecretSource, SecretValue } from '#core/secrets/ports.ts';
import { TENANT_ID_PATTERN } from '#core/strategy/schema.ts';

export const STORE_IDENTITY_FILE = 'store-identity.txt';
const MAX_TENANT_FILE = 128 * 1024 * 1024;
const MAX_NAME = 512;

export interface LocalSecretStoreOptions {
  /** The store directory (created 0700 on first write). */
  dir: string;
  clock?: Clock;
}

export interface PutOptions {
  tags?: Record<string, string>;
}

export interface ImportOptions extends PutOptions {
  /** Refuse input longer than this; default 1 MiB. */
  maxBytes?: number;
}

function badInput(path: string, message: string): ValidationError {
  return new ValidationError('SecretStoreInput', [{ file: 'local secret store', path, message }]);
}

function checkTenant(tenantId: string): void {
  if (typeof tenantId !== 'string' || !TENANT_ID_PATTERN.test(tenantId)) {
    throw badInput('tenantId', 'expected lowercase letters, digits and dashes (at most 63)');
  }
}

function checkName(name: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME || /[\u0000-\u001f\u007f]/.test(name)) {
    throw badInput('name', `expected 1 to ${MAX_NAME} printable characters`);
  }
}

const isMissing = (error: unknown) => (error as { code?: string } | undefined)?.code === 'ENOENT';

export class LocalSecretStore implements SecretSource {
  private readonly dir: string;
  private readonly clock: Clock;
  private identity: Promise<{ identity: string; recipient: string }> | undefined;
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(options: LocalSecretStoreOptions) {
    this.dir = options.dir;
    this.clock = options.clock ?? systemClock;
  }

  /** The store's public age recipient (the key file is created on first use). */
  async recipient(): Promise<string> {
    return (await this.keys()).recipient;
  }

  async put(
    tenantId: string,
    name: string,
    value: SecretValue | Uint8Array,
    options: PutOptions = {},
  ): Promise<SecretRef> {
    checkTenant(tenantId);
    checkName(name);
    const secret = value instanceof SecretValue ? SecretValue.copyOf(value.use((b) => b)) : SecretValue.copyOf(value);
    if (secret.byteLength > BUNDLE_LIMITS.maxSecretBytes) {
      secret.wipe();
      throw badInput('value', `is larger than ${BUNDLE_LIMITS.maxSecretBytes} bytes`);
    }
    return this.exclusive(tenantId, async () => {
      const entries = await this.load(tenantId);
      try {
        const previous = entries.findIndex((e) => e.ref.name === name);
        const version = previous < 0 ? 1 : Number(entries[previous]!.ref.version ?? '0') + 1;
        const ref: SecretRef = {
          name,
          version: String(version),
          lastChangedAt: this.clock.now(),
          ...(options.tags === undefined ? {} : { tags: { ...options.tags } }),
        };
        if (previous >= 0) entries.splice(previous, 1)[0]!.value.wipe();
        entries.push({ ref, value: secret });
        await this.save(tenantId, entries);
        return { ...ref, locator: `${tenantId}/${name}` };
      } finally {
        for (const entry of entries) entry.value.wipe();
        secret.wipe();
      }
    });
  }

  /** Reads a secret from a stream (a file, stdin) with a size cap, then stores it. */
  async importFrom(
    tenantId: string,
    name: string,
    input: AsyncIterable<Uint8Array | string>,
    options: ImportOptions = {},
  ): Promise<SecretRef> {
    const maxBytes = options.maxBytes ?? BUNDLE_LIMITS.maxSecretBytes;
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for await (const chunk of input) {
        const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
        size += bytes.byteLength;
        chunks.push(bytes);
        if (size > maxBytes) throw badInput('value', `input is larger than ${maxBytes} bytes`);
      }
      const all = new Uint8Array(size);
      let offset = 0;
      for (const chunk of chunks) {
        all.set(chunk, offset);
        offset += chunk.byteLength;
      }
      return await this.put(tenantId, name, SecretValue.adopt(all), options.tags ? { tags: options.tags } : {});
    } finally {
      for (const chunk of chunks) chunk.fill(0);
    }
  }

  /** Removes a secret; false when it did not exist. */
  async delete(tenantId: string, name: string): Promise<boolean> {
    checkTenant(tenantId);
    checkName(name);
    return this.exclusive(tenantId, async () => {
      const entries = await this.load(tenantId);
      try {
        const index = entries.findIndex((e) => e.ref.name === name);
        if (index < 0) return false;
        entries.splice(index, 1)[0]!.value.wipe();
        await this.save(tenantId, entries);
        return true;
      } finally {
        for (const entry of entries) entry.value.wipe();
      }
    });
  }

  async *list(tenantId: string): AsyncIterable<SecretRef> {
    checkTenant(tenantId);
    const entries = await this.load(tenantId);
    const refs = entries.map((e) => ({ ...e.ref, locator: `${tenantId}/${e.ref.name}` }));
    for (const entry of entries) entry.value.wipe();
    refs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    yield* refs;
  }

  async read(ref: SecretRef): Promise<SecretValue> {
    const slash = ref.locator?.indexOf('/') ?? -1;
    if (ref.locator === undefined || slash < 0) throw badInput('locator', 'expected a ref returned by list()');
    const tenantId = ref.locator.slice(0, slash);
    const name = ref.locator.slice(slash + 1);
    checkTenant(tenantId);
    const entries = await this.load(tenantId);
    let found: SecretValue | undefined;
    for (const entry of entries) {
      if (entry.ref.name === name && (ref.version === undefined || ref.version === entry.ref.version))
        found = entry.value;
      else entry.value.wipe();
    }
    if (found === undefined) {
      throw new NotFoundError(
        'SecretNotFound',
        `tenant ${tenantId} has no secret ${JSON.stringify(name)} at that version`,
      );
    }
    return found;
  }

  private tenantFile(tenantId: string): string {
    return join(this.dir, 'tenants', `${tenantId}.age`);
  }

  private exclusive<T>(tenantId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(tenantId) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    this.queues.set(
      tenantId,
      next.catch(() => undefined),
    );
    return next;
  }

  private keys(): Promise<{ identity: string; recipient: string }> {
    this.identity ??= this.loadOrCreateKeys();
    this.identity.catch(() => {
      this.identity = undefined;
    });
    return this.identity;
  }

  private async loadOrCreateKeys(): Promise<{ identity: string; recipient: string }> {
    const file = join(this.dir, STORE_IDENTITY_FILE);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    try {
      const identity = await generateX25519Identity();
      const recipient = await identityToRecipient(identity);
      const text = `# created: ${new Date(this.clock.now()).toISOString()}\n# public key: ${recipient}\n${identity}\n`;
      // 'wx': never overwrite an existing key (that would make every tenant file unreadable).
      await writeFile(file, text, { mode: 0o600, flag: 'wx' });
      return { identity, recipient };
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
    }
    const info = await stat(file);
    if ((info.mode & 0o077) !== 0) {
      throw new ConfigError(
        'SecretStoreKeyExposed',
        `${file} is readable by group or others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 on it`,
      );
    }
    const identity = (await readFile(file, 'utf8'))
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.startsWith('AGE-SECRET-KEY-1'));
    if (identity === undefined) throw new ConfigError('SecretStoreKeyInvalid', `${file} holds no age identity`);
    return { identity, recipient: await identityToRecipient(identity) };
  }

  private async load(tenantId: string): Promise<BundleEntry[]> {
    const file = this.tenantFile(tenantId);
    let ciphertext: Buffer;
    try {
      const info = await stat(file);
      if (info.size > MAX_TENANT_FILE) throw new ConfigError('SecretStoreCorrupt', `${file} is larger than expected`);
      ciphertext = await readFile(file);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const { identity } = await this.keys();
    const decrypter = new Decrypter();
    decrypter.addIdentity(identity);
    let plain: Uint8Array;
    try {
      plain = await decrypter.decrypt(ciphertext);
    } catch {
      throw new ConfigError('SecretStoreCorrupt', `${file} cannot be decrypted with ${STORE_IDENTITY_FILE}`);
    }
    try {
      return await decodeSecretBundle(plain);
    } catch {
      throw new ConfigError('SecretStoreCorrupt', `${file} decrypts but is not a secrets bundle`);
    } finally {
      plain.fill(0);
    }
  }

  private async save(tenantId: string, entries: BundleEntry[]): Promise<void> {
    const file = this.tenantFile(tenantId);
    if (entries.length === 0) {
      await rm(file, { force: true });
      return;
    }
    const { recipient } = await this.keys();
    const plain = await encodeSecretBundle(entries, new Date(this.clock.now()));
    let ciphertext: Uint8Array;
    try {
      const encrypter = new Encrypter();
      encrypter.addRecipient(recipient);
      ciphertext = await encrypter.encrypt(plain);
    } finally {
      plain.fill(0);
    }
    await mkdir(join(this.dir, 'tenants'), { recursive: true, mode: 0o700 });
    const temp = `${file}.${randomUUID()}.tmp`;
    try {
      await writeFile(temp, ciphertext, { mode: 0o600, flag: 'wx' });
      await chmod(temp, 0o600);
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}
