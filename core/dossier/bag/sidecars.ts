/**
 * The two small files published beside the archive: `<name>.zip.sha256` (what `sha256sum -c`
 * reads) and `<name>.zip.sha256.sig` (DER ECDSA P-256/SHA-256 over that checksum file, verifiable
 * with the key inside the bag), so the download itself can be checked before unzipping.
 */
import type { Signer } from './signer.ts';
import type { BagResult } from './types.ts';

export interface SidecarFile {
  name: string;
  bytes: Uint8Array;
}

export interface Sidecars {
  checksum: SidecarFile;
  signature: SidecarFile;
}

export function checksumFileContent(zipName: string, zipSha256: string): string {
  return `${zipSha256}  ${zipName}\n`;
}

export async function sidecars(result: Pick<BagResult, 'zipName' | 'zipSha256'>, signer: Signer): Promise<Sidecars> {
  const checksum = Buffer.from(checksumFileContent(result.zipName, result.zipSha256));
  const signature = await signer.sign(checksum);
  return {
    checksum: { name: `${result.zipName}.sha256`, bytes: checksum },
    signature: { name: `${result.zipName}.sha256.sig`, bytes: signature },
  };
}
