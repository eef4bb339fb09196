/**
 * An audit export as one zip, streamed: the same files `reversa audit export` writes to a directory
 * (entries/, digests/, public-key.pem, README.txt and the signed export manifest), so an auditor who
 * unzips it runs `reversa audit verify` or openssl on it unchanged.
 */
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipArchive } from 'archiver';
import { writeAuditExport } from './export.ts';
import type { AuditDeps } from './ports.ts';

export async function writeAuditExportZip(
  deps: AuditDeps,
  tenantId: string,
  now: number,
  sink: Writable,
): Promise<Awaited<ReturnType<typeof writeAuditExport>>> {
  const zip = new ZipArchive({ zlib: { level: 6 }, forceLocalTime: false });
  const written = pipeline(zip, sink);
  const folder = `audit-${tenantId}`;
  const date = new Date(now);
  let result: Awaited<ReturnType<typeof writeAuditExport>>;
  try {
    result = await writeAuditExport(deps, tenantId, now, async (name, bytes) => {
      zip.append(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes), {
        name: `${folder}/${name}`,
        date,
      });
    });
  } catch (error) {
    zip.destroy(error as Error);
    await written.catch(() => undefined);
    throw error;
  }
  await zip.finalize();
  await written;
  return result;
}
