/**
 * Resumable download of a dossier: an https URL (a presigned link) or an s3:// URI. A partial
 * `<out>.part` is resumed with a Range request; the result is checked against the expected size
 * and SHA-256 before it is renamed into place, so a half or corrupt download is never mistaken
 * for the dossier.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ValidationError } from '#core/errors.ts';

export interface DownloadResult {
  path: string;
  bytes: number;
  sha256: string;
  resumedFrom: number;
}

interface Opened {
  body: Readable;
  /** Total size of the object, from Content-Range or Content-Length. */
  total: number;
  /** True when the server honoured the Range (206). */
  partial: boolean;
}

function parseTotal(contentRange: string | null | undefined, contentLength: number | undefined, start: number): number {
  const m = contentRange ? /\/(\d+)$/.exec(contentRange) : null;
  if (m) return Number(m[1]);
  return (contentLength ?? 0) + start;
}

async function openHttp(url: string, start: number): Promise<Opened> {
  const res = await fetch(url, { headers: start > 0 ? { Range: `bytes=${start}-` } : {} });
  if (res.status === 416) return { body: Readable.from([]), total: start, partial: true };
  if (!res.ok || !res.body) {
    throw new ValidationError('DownloadFailed', [
      { file: url.split('?')[0] ?? url, path: '', message: `HTTP ${res.status}` },
    ]);
  }
  const length = Number(res.headers.get('content-length') ?? '0');
  return {
    body: Readable.fromWeb(res.body as never),
    total: parseTotal(res.headers.get('content-range'), length, res.status === 206 ? start : 0),
    partial: res.status === 206,
  };
}

async function openS3(uri: string, start: number, client: S3Client): Promise<Opened> {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw new ValidationError('BadUri', [{ file: uri, path: '', message: 'expected s3://<bucket>/<key>' }]);
  const out = await client.send(
    new GetObjectCommand({ Bucket: m[1], Key: m[2], ...(start > 0 ? { Range: `bytes=${start}-` } : {}) }),
  );
  return {
    body: out.Body as Readable,
    total: parseTotal(out.ContentRange, out.ContentLength, start),
    partial: start > 0 && out.ContentRange !== undefined,
  };
}

async function hashFile(path: string, hash: ReturnType<typeof createHash>): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

export async function download(
  source: string,
  out: string,
  options: { expectedSha256?: string; onProgress?: (done: number, total: number) => void; s3?: S3Client } = {},
): Promise<DownloadResult> {
  const part = `${out}.part`;
  let have = 0;
  try {
    have = (await stat(part)).size;
  } catch {
    have = 0;
  }
  const opened = source.startsWith('s3://')
    ? await openS3(source, have, options.s3 ?? new S3Client({}))
    : await openHttp(source, have);
  // A server that ignores Range sends everything again: start over rather than append a duplicate.
  const resumedFrom = opened.partial ? have : 0;
  const hash = createHash('sha256');
  if (resumedFrom > 0) await hashFile(part, hash);
  let done = resumedFrom;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      done += chunk.length;
      options.onProgress?.(done, opened.total);
      cb(null, chunk);
    },
  });
  await pipeline(opened.body, meter, createWriteStream(part, { flags: resumedFrom > 0 ? 'a' : 'w' }));
  const sha256 = hash.digest('hex');
  const size = (await stat(part)).size;
  if (size !== opened.total) {
    throw new ValidationError('DownloadIncomplete', [
      { file: part, path: '', message: `got ${size} of ${opened.total} bytes; run the same command again to resume` },
    ]);
  }
  if (options.expectedSha256 && options.expectedSha256.toLowerCase() !== sha256) {
    throw new ValidationError('DownloadCorrupt', [
      {
        file: part,
        path: '',
        message: `SHA-256 ${sha256} differs from the expected ${options.expectedSha256}; delete it and download again`,
      },
    ]);
  }
  await rename(part, out);
  return { path: out, bytes: size, sha256, resumedFrom };
}

/** `sha256sum` sidecar text → the hex digest of the named file. */
export function parseSha256Sidecar(text: string): string | undefined {
  return /^([0-9a-f]{64})\s/i.exec(text.trim())?.[1]?.toLowerCase();
}
