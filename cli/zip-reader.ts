/**
 * Reads small members of a dossier zip by path (the escrow files), with a size cap: the zip is
 * untrusted input until `dossier verify` has passed, and even then a member is never inflated
 * beyond what it declares.
 */
import yauzl from 'yauzl';
import { ValidationError } from '#core/errors.ts';

export async function readZipMembers(
  zipPath: string,
  wanted: (name: string) => boolean,
  maxBytes: number,
): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(zipPath, { lazyEntries: true, autoClose: false, decodeStrings: true }, (err, z) =>
      err || !z ? reject(err) : resolve(z),
    ),
  ).catch((err: unknown) => {
    throw new ValidationError('UnreadableZip', [
      { file: zipPath, path: '', message: `not a readable zip: ${(err as Error).message}` },
    ]);
  });
  const out = new Map<string, Buffer>();
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!wanted(entry.fileName) || entry.fileName.endsWith('/')) {
          zip.readEntry();
          return;
        }
        if (entry.uncompressedSize > maxBytes) {
          reject(
            new ValidationError('ZipMemberTooLarge', [
              { file: zipPath, path: entry.fileName, message: `member over ${maxBytes} bytes` },
            ]),
          );
          return;
        }
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err);
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on('data', (c: Buffer) => {
            size += c.length;
            if (size > maxBytes) stream.destroy(new Error('member larger than declared'));
            else chunks.push(c);
          });
          stream.on('error', reject);
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return out;
}
