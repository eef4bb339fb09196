/** A zip written by archiver from streams: deflated entries with data descriptors (flag bit 3), as many tools write to a pipe. */
import { Readable } from 'node:stream';
import { ZipArchive } from 'archiver';

export async function archiverZip(files: Record<string, string>): Promise<Buffer> {
  const zip = new ZipArchive({ zlib: { level: 6 } });
  const chunks: Buffer[] = [];
  zip.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve, reject) => {
    zip.on('end', resolve);
    zip.on('error', reject);
  });
  for (const [name, content] of Object.entries(files)) zip.append(Readable.from([Buffer.from(content)]), { name });
  await zip.finalize();
  await done;
  return Buffer.concat(chunks);
}
