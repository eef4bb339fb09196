/** Shared fixtures for the bag tests: a real P-256 signer, in-memory payloads, a bag written to disk. */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createFileSink } from '#adapters/local/file-sink.ts';
import { compareBytes } from '#core/dossier/bag/paths.ts';
import { sidecars } from '#core/dossier/bag/sidecars.ts';
import type { Signer } from '#core/dossier/bag/signer.ts';
import type { BagResult, FetchEntry, PayloadEntry } from '#core/dossier/bag/types.ts';
import { writeBag } from '#core/dossier/bag/writer.ts';

export const NOW = new Date('2026-03-01T10:00:00Z');

export interface TestSigner extends Signer {
  privateKey: KeyObject;
}

export function testSigner(): TestSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privateKey,
    sign: async (message) => sign('sha256', message, privateKey),
    publicKeyPem: async () => publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export type Files = Record<string, string | Buffer>;

export function payloadOf(files: Files): {
  payload: AsyncIterable<PayloadEntry>;
  totals: { bytes: number; files: number };
} {
  const entries = Object.entries(files)
    .sort(([a], [b]) => compareBytes(a, b))
    .map(([path, content]): PayloadEntry => {
      const bytes = Buffer.from(content);
      return { path, size: bytes.length, open: async () => Readable.from([bytes]) };
    });
  async function* iterate(): AsyncGenerator<PayloadEntry> {
    yield* entries;
  }
  return {
    payload: iterate(),
    totals: { bytes: entries.reduce((s, e) => s + e.size, 0), files: entries.length },
  };
}

export const SAMPLE_FILES: Files = {
  'inventory/assets.csv': 'id,type,name\nsrv-1,server,web\n',
  'inventory/assets.json': JSON.stringify([{ id: 'srv-1' }]),
  'procedures/restore web.md': '# Restore\n\nrestic restore latest --target /srv\n',
  'credentials/escrow.age': Buffer.from([0x61, 0x67, 0x65, 0x00, 0xff, 0x10]),
  'Zeta/é.txt': 'accented, NFC\n',
  'empty.txt': '',
};

export interface WrittenBag {
  dir: string;
  zipPath: string;
  result: BagResult;
}

export async function writeSampleBag(
  signer: Signer,
  opts: { dir?: string; files?: Files; fetch?: FetchEntry[]; bagName?: string; withSidecars?: boolean } = {},
): Promise<WrittenBag> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'reversa-bag-')));
  const bagName = opts.bagName ?? 'acme-dossier-v1';
  const zipPath = join(dir, `${bagName}.zip`);
  const { payload, totals } = payloadOf(opts.files ?? SAMPLE_FILES);
  const result = await writeBag({
    bagName,
    payload,
    totals,
    bagInfo: {
      'Source-Organization': 'Example Provider SAS',
      'External-Identifier': 'acme/v1',
      'Internal-Sender-Description':
        'Reversibility dossier of tenant acme: inventory, configurations, procedures, backup catalogue, restore evidence and escrowed credentials',
    },
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    signer,
    sink: createFileSink(zipPath),
    now: NOW,
  });
  if (opts.withSidecars ?? true) {
    const side = await sidecars(result, signer);
    await writeFile(join(dir, side.checksum.name), side.checksum.bytes);
    await writeFile(join(dir, side.signature.name), side.signature.bytes);
  }
  return { dir, zipPath, result };
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a stock tool and returns its exit code and output (never throws on a non-zero exit). */
export function run(cmd: string, args: string[], cwd: string): Run {
  const out = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (out.error) throw out.error;
  return { code: out.status ?? -1, stdout: out.stdout, stderr: out.stderr };
}

/** A shell pipeline, for the fingerprint command exactly as README-VERIFY.md prints it. */
export function sh(script: string, cwd: string): Run {
  return run('sh', ['-c', script], cwd);
}
