/**
 * The demo's second act: restore tests (a corrupt NAS archive, a real restic repository) and the
 * reversibility dossier (inputs uploaded from examples/demo/acme, secrets in the local secret store,
 * a successor identity generated on the spot).
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import tar from 'tar-stream';

export interface UploadedInputs {
  files: number;
  bytes: number;
}

/** Uploads examples/demo/acme/{config,procedures,inventory} under the tenant's prefixes of the data bucket. */
export async function uploadDossierInputs(
  put: (key: string, body: Buffer) => Promise<void>,
  tenantId: string,
): Promise<UploadedInputs> {
  const root = new URL('../../examples/demo/acme/', import.meta.url).pathname;
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  let files = 0;
  let bytes = 0;
  for (const e of entries.filter((x) => x.isFile()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = relative(root, join(e.parentPath, e.name));
    const [top, ...rest] = rel.split('/');
    const body = await readFile(join(e.parentPath, e.name));
    await put(`${top}/${tenantId}/${rest.join('/')}`, body);
    files++;
    bytes += body.length;
  }
  return { files, bytes };
}

/**
 * The NAS tool's archive of its newest recovery point, in its own bucket, with the manifest it wrote
 * at backup time. One file was changed after the backup (silent corruption, or tampering): the
 * restore test must name it.
 */
export async function writeNasArchive(s3: S3Client, recoveryPointId: string): Promise<{ altered: string }> {
  const files: Record<string, string> = {
    'projects/budget-2026.csv': 'line,amount\nhosting,120000\nlicences,45000\n',
    'projects/roadmap.md': '# Roadmap\n- Q1: migrate ERP\n- Q2: new web shop\n',
    'projects/contracts/msa-2024-07.txt': 'Master services agreement, 2024-07, reversibility clause art. 12\n',
  };
  const manifest = Object.entries(files)
    .map(([path, body]) => `${createHash('sha256').update(body).digest('hex')}  ${path}`)
    .join('\n');
  const altered = 'projects/budget-2026.csv';
  const pack = tar.pack();
  const archived = buffer(pack);
  for (const [path, body] of Object.entries(files)) {
    const content = path === altered ? body.replace('120000', '920000') : body;
    pack.entry({ name: path, size: Buffer.byteLength(content), mtime: new Date(0), mode: 0o644 }, content);
  }
  pack.finalize();
  const tarball = await archived;
  const bucket = 'acme-nas-backups';
  await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: `projects/${recoveryPointId}.tar.gz`,
      Body: gzipSync(tarball),
    }),
  );
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: `projects/${recoveryPointId}.sha256`, Body: `${manifest}\n` }),
  );
  return { altered };
}

/** A successor's age identity, generated for the demo and kept readable by its owner only. */
export async function successorIdentity(dir: string): Promise<{ file: string; recipient: string }> {
  await mkdir(dir, { recursive: true });
  const identity = await generateX25519Identity();
  const file = join(dir, 'successor-identity.txt');
  await writeFile(file, `${identity}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { file, recipient: await identityToRecipient(identity) };
}

export async function downloadTo(
  open: (key: string) => Promise<NodeJS.ReadableStream>,
  keys: string[],
  dir: string,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const out: string[] = [];
  for (const key of keys) {
    const file = join(dir, basename(key));
    await pipeline(await open(key), createWriteStream(file));
    out.push(file);
  }
  return out;
}
