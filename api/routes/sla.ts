/**
 * The contract's service levels from the portal: the current period's standing so far (computed
 * from the verification history, never stored: its own route, so /status stays fast), and a closed
 * period's issued statement as JSON or printable HTML (core/use-cases/sla-portal.ts decides who may
 * cause it to be issued and records the reads of clients and auditors).
 */

import { roleMay } from '#core/identity/roles.ts';
import { levelSummaries } from '#core/sla/summary.ts';
import { portalStatement } from '#core/use-cases/sla-portal.ts';
import type { SlaStatementDeps } from '#core/use-cases/sla-statement.ts';
import { slaStanding } from '#core/use-cases/sla-statement.ts';
import type { ApiTenantPorts } from '../ports.ts';
import { route } from '../route.ts';
import {
  slaStandingResponse,
  slaStatementParams,
  slaStatementQuery,
  slaStatementResponse,
  tenantParams,
} from '../schemas.ts';

/** The tenant's ports as the SLA use cases take them; statement events go to the bus when it is wired. */
function slaDeps(ports: ApiTenantPorts): SlaStatementDeps {
  return { ...ports, ...(ports.notifications ? { events: ports.notifications } : {}) };
}

export const slaRoutes = [
  route({
    id: 'slaStanding',
    method: 'GET',
    path: '/v1/tenants/{tenant}/sla/standing',
    summary:
      "The current measurement period's standing so far: each service level's achieved value against its target, and the penalty so far",
    auth: 'tenant:read',
    params: tenantParams,
    responses: [
      { status: 200, description: 'The standing so far (not issued, not stored)', schema: slaStandingResponse },
    ],
    async handle({ params, ports, now }) {
      const s = await slaStanding(slaDeps(ports), params.tenant, now);
      return {
        json: {
          period: s.period.label,
          from: s.period.from,
          to: s.period.to,
          measuredTo: s.measuredTo,
          timeZone: s.period.timeZone,
          contract: s.contract.reference,
          currency: s.contract.currency,
          levels: levelSummaries(s),
          subtotal: s.subtotal,
          cap: s.cap?.amount ?? null,
          capApplied: s.cap?.applied ?? false,
          total: s.total,
        },
      };
    },
  }),
  route({
    id: 'slaStatement',
    method: 'GET',
    path: '/v1/tenants/{tenant}/sla/statements/{period}',
    summary:
      "A closed period's SLA statement (the latest version), as JSON or printable HTML; issued on first request by a provider role",
    auth: 'tenant:read',
    params: slaStatementParams,
    query: slaStatementQuery,
    responses: [
      { status: 200, description: 'The issued statement, signed', schema: slaStatementResponse },
      { status: 200, description: 'The statement, self-contained and printable', contentType: 'text/html' },
    ],
    async handle({ params, query, ports, principal, now }) {
      const result = await portalStatement(slaDeps(ports), {
        tenantId: params.tenant,
        period: params.period,
        now,
        format: query.format,
        reader: { email: principal.email, mayIssue: roleMay(principal.role, 'sla:issue') },
      });
      if (query.format === 'html') {
        return {
          body: result.html,
          contentType: 'text/html; charset=utf-8',
          headers: {
            'content-disposition': `inline; filename="reversa-sla-${params.tenant}-${result.record.period}-v${result.record.version}.html"`,
          },
        };
      }
      const { tenantId: _t, jsonKey: _j, htmlKey: _h, ...json } = result.record;
      return { status: 200, json };
    },
  }),
];
