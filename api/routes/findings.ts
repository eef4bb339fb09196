/**
 * Findings opened by failed restore tests: the list, one finding with its timeline, the provider's
 * root cause and corrective action, and comments (clients and providers). Every change and comment
 * is recorded in the finding's timeline with the authenticated principal, and changes in the audit log.
 */
import { NotFoundError } from '#core/errors.ts';
import { lifecycleOf } from '#core/incidents/lifecycle.ts';
import type { IncidentRecord } from '#core/incidents/model.ts';
import { changeIncident, currentIncidentPolicy } from '#core/use-cases/incidents.ts';
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

/** The stored record with its lifecycle made explicit (records older than the lifecycle derive it). */
const publicFinding = ({ tenantId: _t, ...f }: IncidentRecord) => ({
  ...f,
  source: f.source ?? 'restore-test',
  ...lifecycleOf({ tenantId: _t, ...f } as IncidentRecord),
});

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
      const all = await ports.findings.list(params.tenant, {
        ...(query.status === undefined ? {} : { status: query.status === 'open' ? 'OPEN' : 'CLOSED' }),
        ...(query.source === undefined ? {} : { source: query.source }),
      });
      const items = all.map(publicFinding).filter((f) => query.state === undefined || f.state === query.state);
      return { json: offsetPage(items, query.limit, query.cursor) };
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
    summary:
      'Provider roles: acknowledge, resolve, close (root cause and corrective action required) or reopen; set fields',
    auth: 'finding:update',
    params: findingParams,
    body: findingPatch,
    responses: [{ status: 200, description: 'The updated finding', schema: finding }],
    async handle({ params, body, ports, principal, now }) {
      const { status, state, ...fields } = body;
      const to = state ?? (status === 'CLOSED' ? 'CLOSED' : status === 'OPEN' ? 'OPEN' : undefined);
      const policy = await currentIncidentPolicy(ports.strategies, params.tenant);
      const updated = await changeIncident(
        {
          findings: ports.findings,
          audit: ports.audit,
          ...(ports.notifications ? { events: ports.notifications } : {}),
        },
        params.tenant,
        params.findingId,
        { ...fields, ...(to === undefined ? {} : { to }), by: principal.email, at: now },
        policy.recurrence,
      );
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
