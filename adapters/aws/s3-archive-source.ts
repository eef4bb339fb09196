/**
 * Where the s3-archive runner reads a recovery point from: the archive object and its manifest,
 * located by the policy's key patterns. Streams the GetObject bodies as they come.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NotFoundError, ValidationError } from '#core/errors.ts';

export interface ArchiveLocation {
  bucket: string;
  /** Key pattern with {recoveryPointId}, {resourceId}, {tenantId}. */
  key: string;
  /** Default: `<key>.sha256`. */
  manifestKey?: string;
}

export interface ArchiveRef {
  tenantId: string;
  resourceId: string;
  recoveryPointId: string;
}

/** Fills the placeholders; refuses unknown ones (a typo would otherwise read a wrong key). */
export function archiveKeys(location: ArchiveLocation, ref: ArchiveRef): { archiveKey: string; manifestKey: string } {
  const fill = (pattern: string, field: string): string =>
    pattern.replace(/\{([^}]*)\}/g, (_m, name: string) => {
      if (name === 'recoveryPointId') return ref.recoveryPointId;
      if (name === 'resourceId') return ref.resourceId;
      if (name === 'tenantId') return ref.tenantId;
      throw new ValidationError('InvalidArchiveLocation', [
        {
          file: 'strategy',
          path: field,
          message: `unknown placeholder {${name}}; expected {recoveryPointId}, {resourceId} or {tenantId}`,
        },
      ]);
    });
  const archiveKey = fill(location.key, 'archive.key');
  const manifestKey =
    location.manifestKey === undefined ? `${archiveKey}.sha256` : fill(location.manifestKey, 'archive.manifestKey');
  return { archiveKey, manifestKey };
}

export class S3ArchiveSource {
  private readonly s3: S3Client;
  constructor(client?: S3Client) {
    this.s3 = client ?? new S3Client({});
  }

  async open(bucket: string, key: string): Promise<AsyncIterable<Uint8Array>> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return out.Body as AsyncIterable<Uint8Array>;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if ((error as Error).name === 'NoSuchKey' || status === 404)
        throw new NotFoundError('ArchiveNotFound', `no object s3://${bucket}/${key}`, { cause: error });
      throw error;
    }
  }

  /** The two openers restoreAndVerifyArchive takes. */
  openers(
    location: ArchiveLocation,
    ref: ArchiveRef,
  ): { openArchive: () => Promise<AsyncIterable<Uint8Array>>; openManifest: () => Promise<AsyncIterable<Uint8Array>> } {
    const { archiveKey, manifestKey } = archiveKeys(location, ref);
    return {
      openArchive: () => this.open(location.bucket, archiveKey),
      openManifest: () => this.open(location.bucket, manifestKey),
    };
  }
}
