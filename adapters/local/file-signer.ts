/**
 * Local digest signer: an ECDSA P-256 private key in a PEM file, created on first use with mode
 * 0600. Signatures are DER (Node's default dsaEncoding), the format KMS returns, so
 * `openssl dgst -sha256 -verify` checks local and AWS digests the same way.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Signer } from '#core/audit/ports.ts';

export const AUDIT_KEY_FILE = 'audit-signing-key.pem';

export class FileSigner implements Signer {
  private key: Promise<KeyObject> | undefined;

  /** `dir` holds `audit-signing-key.pem` (e.g. the local cloud's home). */
  constructor(private readonly dir: string) {}

  get keyPath(): string {
    return join(this.dir, AUDIT_KEY_FILE);
  }

  private privateKey(): Promise<KeyObject> {
    this.key ??= this.loadOrCreate();
    return this.key;
  }

  private loadOrCreate(): Promise<KeyObject> {
    return ecPrivateKeyAt(this.dir, AUDIT_KEY_FILE);
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    return sign('sha256', message, await this.privateKey());
  }

  async publicKeyPem(): Promise<string> {
    return createPublicKey(await this.privateKey()).export({ type: 'spki', format: 'pem' }) as string;
  }
}

/**
 * The ECDSA P-256 private key in `<dir>/<file>`, created (0600, in a 0700 directory) on first use.
 * Two processes creating it at once keep one key: the file is written with O_EXCL.
 */
export async function ecPrivateKeyAt(dir: string, file: string): Promise<KeyObject> {
  const path = join(dir, file);
  try {
    return createPrivateKey(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  try {
    await writeFile(path, pem, { mode: 0o600, flag: 'wx' });
    return privateKey;
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
    return createPrivateKey(await readFile(path, 'utf8'));
  }
}
