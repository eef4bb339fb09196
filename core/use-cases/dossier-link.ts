/**
 * An expiring download link for one published dossier version (the zip, its checksum and the
 * checksum's signature), recorded in the tenant's audit log with who issued it and until when.
 * Presigned S3 URLs live at most 7 days; the issuer is the authenticated principal (the CLI's user
 * or caller identity, the portal's user), never a field of the request.
 */

import type { AuditDeps } from '../audit/ports.ts';
import type { DossierStore, DossierVersion } from '../dossier/ports.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { recordInAuditLog } from './audit-trail.ts';

export const MAX_LINK_SECONDS = 7 * 24 * 3600;

/** The zip and the two small files published beside it. */
export function publishedKeys(zipKey: string): [string, string, string] {
  return [zipKey, `${zipKey}.sha256`, `${zipKey}.sha256.sig`];
}

export interface DossierLinkDeps {
  dossiers: Pick<DossierStore, 'getLatest' | 'getVersion'>;
  audit: AuditDeps;
  presign(key: string, expiresInSeconds: number): Promise<string>;
}

export interface DossierLink {
  tenantId: string;
  version: number;
  expiresAt: string;
  zipUrl: string;
  checksumUrl: string;
  signatureUrl: string;
  zipSha256: string;
  zipBytes: number;
  auditSeq: number;
}

export async function createDossierLink(
  deps: DossierLinkDeps,
  input: { tenantId: string; version?: number; expiresInSeconds: number; issuedBy: string; now: number },
): Promise<DossierLink> {
  const seconds = input.expiresInSeconds;
  if (!Number.isInteger(seconds) || seconds < 60 || seconds > MAX_LINK_SECONDS) {
    throw new ValidationError('BadLinkExpiry', [
      {
        file: '<request>',
        path: 'expiresIn',
        message: `expected 60 s to 7 days (${MAX_LINK_SECONDS} s), got ${seconds}`,
      },
    ]);
  }
  const version: DossierVersion | undefined =
    input.version === undefined
      ? await deps.dossiers.getLatest(input.tenantId)
      : await deps.dossiers.getVersion(input.tenantId, input.version);
  if (!version) {
    throw new NotFoundError(
      'DossierNotFound',
      `no dossier ${input.version === undefined ? '' : `v${input.version} `}for tenant '${input.tenantId}'`,
    );
  }
  const [zipUrl, checksumUrl, signatureUrl] = await Promise.all(
    publishedKeys(version.zipKey).map((k) => deps.presign(k, seconds)),
  );
  const expiresAt = new Date(input.now + seconds * 1000).toISOString();
  const logged = await recordInAuditLog(deps.audit, input.tenantId, {
    type: 'dossier-link',
    record: { version: version.version, zipKey: version.zipKey, expiresAt, issuedBy: input.issuedBy },
    summary: { version: version.version, zipSha256: version.zipSha256, expiresAt, issuedBy: input.issuedBy },
    time: input.now,
  });
  return {
    tenantId: input.tenantId,
    version: version.version,
    expiresAt,
    zipUrl: zipUrl as string,
    checksumUrl: checksumUrl as string,
    signatureUrl: signatureUrl as string,
    zipSha256: version.zipSha256,
    zipBytes: version.zipBytes,
    auditSeq: logged.seq,
  };
}
