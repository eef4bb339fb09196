/**
 * Findings opened by failed restore tests: the list, one finding with its timeline, the provider's
 * root cause and corrective action, and comments (clients and providers). Every change and comment
 * is recorded in the finding's timeline with the authenticated principal, and changes in the audit log.
 */
import { NotFoundError } from '#core/errors.ts';
import type { RestoreFinding } from '#core/restore/ports.ts';
import { recordInAuditLog } from '#core/use-cases/audit-trail.ts';
import { route } from '../route.ts';
import {
  commentRequest,
  finding,
  findingDetail,
  findingParams,
  findingPatch,
  findingsQuery,
  page,
  tenantParams,
  timelineEntry,
} from '../schemas.ts';
import { offsetPage } from './paging.ts';

const publicFinding = ({ tenantId: _t, ...f }: RestoreFinding) => f;

export const findingRoutes = [
  route({
    id: 'listFindings',
    method: 'GET',
    path: '/v1/tenants/{tenant}/findings',
    summary: 'Findings, newest first, open or closed',
    auth: 'tenant:read',
    params: tenantParams,
    query: findingsQuery,
    responses: [{ status: 200, description: 'A page of findings', schema: page(finding, 'FindingPage') }],
    async handle({ params, query, ports }) {
      const all = await ports.findings.list(
        params.tenant,
        query.status === undefined ? {} : { status: query.status === 'open' ? 'OPEN' : 'CLOSED' },
      );
      return { json: offsetPage(all.map(publicFinding), query.limit, query.cursor) };
    },
  }),
  route({
    id: 'getFinding',
    method: 'GET',
    path: '/v1/tenants/{tenant}/findings/{findingId}',
    summary: 'One finding with its timeline (comments and changes)',
    auth: 'tenant:read',
    params: findingParams,
    responses: [{ status: 200, description: 'The finding', schema: findingDetail }],
    async handle({ params, ports }) {
      const [found, timeline] = await Promise.all([
        ports.findings.get(params.tenant, params.findingId),
        ports.findings.timeline(params.tenant, params.findingId),
      ]);
      if (!found) throw new NotFoundError('NoSuchFinding', `no finding ${params.findingId}`);
      return { json: { ...publicFinding(found), timeline } };
    },
  }),
  route({
    id: 'updateFinding',
    method: 'PATCH',
    path: '/v1/tenants/{tenant}/findings/{findingId}',
    summary: 'Provider roles: set the root cause, the corrective action, close or reopen',
    auth: 'finding:update',
    params: findingParams,
    body: findingPatch,
    responses: [{ status: 200, description: 'The updated finding', schema: finding }],
    async handle({ params, body, ports, principal, now }) {
      const at = new Date(now).toISOString();
      const updated = await ports.findings.update(params.tenant, params.findingId, {
        ...(body.rootCause === undefined ? {} : { rootCause: body.rootCause }),
        ...(body.correctiveAction === undefined ? {} : { correctiveAction: body.correctiveAction }),
        ...(body.status === undefined ? {} : { status: body.status }),
        updatedBy: principal.email,
        updatedAt: at,
      });
      const changed = Object.keys(body).join(', ');
      await ports.findings.addTimelineEntry(params.tenant, params.findingId, {
        at,
        by: principal.email,
        kind: 'change',
        text: `changed ${changed}`,
      });
      await recordInAuditLog(ports.audit, params.tenant, {
        type: 'finding-update',
        record: { findingId: params.findingId, ...body, updatedBy: principal.email, updatedAt: at },
        summary: { findingId: params.findingId, changed, status: updated.status, updatedBy: principal.email },
        time: now,
      });
      return { json: publicFinding(updated) };
    },
  }),
  route({
    id: 'commentFinding',
    method: 'POST',
    path: '/v1/tenants/{tenant}/findings/{findingId}/comments',
    summary: 'Clients and providers: comment on a finding',
    auth: 'finding:comment',
    params: findingParams,
    body: commentRequest,
    responses: [{ status: 201, description: 'The comment as recorded', schema: timelineEntry }],
    async handle({ params, body, ports, principal, now }) {
      if (!(await ports.findings.get(params.tenant, params.findingId))) {
        throw new NotFoundError('NoSuchFinding', `no finding ${params.findingId}`);
      }
      const entry = { at: new Date(now).toISOString(), by: principal.email, kind: 'comment' as const, text: body.text };
      await ports.findings.addTimelineEntry(params.tenant, params.findingId, entry);
      return { status: 201, json: entry };
    },
  }),
];
