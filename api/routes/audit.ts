/**
 * The tenant's tamper-evident log from the portal: entries (paged by seq), the live verification
 * with the chain head and sealed head (an auditor checks from the portal itself that nothing was
 * rewritten), and the export as a zip that `reversa audit verify` and openssl check offline.
 */
import * as z from 'zod';
import { writeAuditExportZip } from '#core/audit/export-zip.ts';
import { keyFingerprint, publicKeyFromPem } from '#core/audit/keyinfo.ts';
import { verifyLive } from '#core/audit/verify.ts';
import { NotFoundError } from '#core/errors.ts';
import { compactUtc } from '#core/use-cases/verify.ts';
import { route } from '../route.ts';
import { auditEntriesQuery, auditEntriesResponse, auditVerificationResponse, tenantParams } from '../schemas.ts';

const exportQuery = z.object({ redirect: z.enum(['true', 'false']).default('true') });
const exportLink = z
  .object({ url: z.string(), expiresAt: z.string(), entries: z.number().int() })
  .meta({ id: 'AuditExportLink' });
const LINK_SECONDS = 3600;

async function publicKeyOf(ports: { audit: { signer?: { publicKeyPem(): Promise<string> } } }): Promise<string> {
  const pem = await ports.audit.signer?.publicKeyPem();
  if (!pem) throw new NotFoundError('NoAuditKey', 'no audit signing key is configured');
  return pem;
}

export const auditRoutes = [
  route({
    id: 'listAuditEntries',
    method: 'GET',
    path: '/v1/tenants/{tenant}/audit/entries',
    summary: 'Audit-log entries from a seq on, each with its hash',
    auth: 'tenant:read',
    params: tenantParams,
    query: auditEntriesQuery,
    responses: [{ status: 200, description: 'Entries', schema: auditEntriesResponse }],
    async handle({ params, query, ports }) {
      const items = [];
      for await (const stored of ports.audit.store.listEntries(
        params.tenant,
        query.from,
        query.from + query.limit - 1,
      )) {
        const { tenantId: _t, ...entry } = JSON.parse(stored.body) as { tenantId: string; seq: number };
        items.push({ ...entry, entryHash: stored.entryHash });
      }
      const head = await ports.audit.store.headEntry(params.tenant);
      const last = items.at(-1)?.seq ?? query.from - 1;
      return { json: { items, ...(head && head.seq > last ? { nextFrom: last + 1 } : {}) } };
    },
  }),
  route({
    id: 'verifyAudit',
    method: 'GET',
    path: '/v1/tenants/{tenant}/audit/verification',
    summary: 'Verifies the live log now: hash chain, signed digests, the chain head and the sealed head',
    auth: 'tenant:read',
    params: tenantParams,
    responses: [{ status: 200, description: 'The verification', schema: auditVerificationResponse }],
    async handle({ params, ports, now }) {
      const pem = await publicKeyOf(ports);
      const result = await verifyLive(ports.audit, params.tenant, pem);
      return {
        json: {
          ...result,
          problems: result.problems.slice(0, 50),
          publicKeyFingerprint: keyFingerprint(publicKeyFromPem(pem)),
          verifiedAt: new Date(now).toISOString(),
        },
      };
    },
  }),
  route({
    id: 'exportAudit',
    method: 'GET',
    path: '/v1/tenants/{tenant}/audit/export',
    summary:
      'Seals the log and exports it as a zip (303 to a link valid for an hour; ?redirect=false: the link as JSON)',
    auth: 'audit:export',
    params: tenantParams,
    query: exportQuery,
    responses: [
      { status: 303, description: 'See the zip at Location' },
      { status: 200, description: 'The link, for browsers that download it themselves', schema: exportLink },
    ],
    async handle({ params, query, ports, now }) {
      // Staged in the data bucket under the tenant's runs/ prefix, streamed: a log of any length fits.
      const key = `runs/${params.tenant}/downloads/audit-${params.tenant}-${compactUtc(now)}.zip`;
      const result = await writeAuditExportZip(
        ports.audit,
        params.tenant,
        now,
        ports.objects.createSink(key, 'application/zip'),
      );
      const url = await ports.presign('data', key, LINK_SECONDS);
      const expiresAt = new Date(now + LINK_SECONDS * 1000).toISOString();
      if (query.redirect === 'false') return { json: { url, expiresAt, entries: result.entries } };
      return { status: 303, headers: { location: url }, body: '' };
    },
  }),
];
