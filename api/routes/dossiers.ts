/**
 * Reversibility dossiers: published versions with what changed, readiness, the successor's stock
 * verification commands; an expiring download link (audit-logged, issued to the authenticated
 * principal); and, for provider roles, starting an export. The export's recipients and actor come
 * from trusted sources only: the applied strategy and the token, never the request body.
 */
import { basename } from 'node:path';
import { commandLine, successorVerifyCommands } from '#core/dossier/verify-commands.ts';
import { requestExport } from '#core/use-cases/dossier-export.ts';
import { createDossierLink } from '#core/use-cases/dossier-link.ts';
import { dossierReadiness } from '#core/use-cases/dossier-readiness.ts';
import { route } from '../route.ts';
import { dossiersResponse, exportStarted, linkParams, linkRequest, linkResponse, tenantParams } from '../schemas.ts';

export const dossierRoutes = [
  route({
    id: 'listDossiers',
    method: 'GET',
    path: '/v1/tenants/{tenant}/dossiers',
    summary: 'Published dossier versions (newest first) with what changed, readiness, and how a successor verifies one',
    auth: 'tenant:read',
    params: tenantParams,
    responses: [{ status: 200, description: 'Dossiers', schema: dossiersResponse }],
    async handle({ params, ports, now }) {
      const [readiness, versions] = await Promise.all([
        dossierReadiness(ports, params.tenant, now),
        ports.dossiers.list(params.tenant, 100),
      ]);
      const latest = versions[0];
      return {
        json: {
          readiness: { status: readiness.status, changed: readiness.changed, checkedAt: readiness.checkedAt },
          versions: versions.map((v) => ({
            version: v.version,
            exportId: v.exportId,
            zipSha256: v.zipSha256,
            zipBytes: v.zipBytes,
            signerFingerprint: v.signerFingerprint,
            changeSummary: v.changeSummary,
            createdAt: v.createdAt,
            createdBy: v.createdBy,
            ...(v.auditSeq === undefined ? {} : { auditSeq: v.auditSeq }),
            fileName: basename(v.zipKey),
          })),
          verifyCommands: latest
            ? successorVerifyCommands(basename(latest.zipKey)).map((c) => ({
                cwd: c.cwd,
                line: commandLine(c),
                proves: c.proves,
              }))
            : [],
        },
      };
    },
  }),
  route({
    id: 'startExport',
    method: 'POST',
    path: '/v1/tenants/{tenant}/dossiers',
    summary: "Provider roles: start a reversibility export, to the strategy's successor recipients",
    auth: 'dossier:export',
    params: tenantParams,
    responses: [{ status: 202, description: 'The export started', schema: exportStarted }],
    async handle({ params, deps, ports, principal, now }) {
      // The requester is the token's principal, recorded with the request; recipients are the strategy's.
      const { input } = await requestExport(ports, { tenantId: params.tenant, requestedBy: principal.email, now });
      const started = await deps.startExport(input);
      return { status: 202, json: started };
    },
  }),
  route({
    id: 'createDossierLink',
    method: 'POST',
    path: '/v1/tenants/{tenant}/dossiers/{version}/links',
    summary: 'An expiring download link for one version (at most 7 days), recorded in the audit log',
    auth: 'dossier:download',
    params: linkParams,
    body: linkRequest,
    responses: [{ status: 201, description: 'The link', schema: linkResponse }],
    async handle({ params, body, ports, principal, now }) {
      const link = await createDossierLink(
        { ...ports, presign: (key, seconds) => ports.presign('dossier', key, seconds) },
        {
          tenantId: params.tenant,
          version: params.version,
          expiresInSeconds: body.expiresIn,
          issuedBy: principal.email,
          now,
        },
      );
      const { tenantId: _t, ...json } = link;
      return { status: 201, json };
    },
  }),
];
