/** The restore-test log: summaries with filters (paged in the store), and each test's full evidence record. */
import { NotFoundError } from '#core/errors.ts';
import type { RestoreTestSummary } from '#core/restore/ports.ts';
import { route } from '../route.ts';
import {
  page,
  restoreTestEvidence,
  restoreTestParams,
  restoreTestSummary,
  restoreTestsQuery,
  tenantParams,
} from '../schemas.ts';

/** An evidence record is tens of KB (every sampled file named); a MB is far beyond any real one. */
const MAX_EVIDENCE_BYTES = 4 * 1024 * 1024;

const publicSummary = ({ tenantId: _t, evidenceKey: _k, ...s }: RestoreTestSummary) => s;

export const restoreTestRoutes = [
  route({
    id: 'listRestoreTests',
    method: 'GET',
    path: '/v1/tenants/{tenant}/restore-tests',
    summary: 'Restore tests, newest first, filtered by resource, outcome and time',
    auth: 'tenant:read',
    params: tenantParams,
    query: restoreTestsQuery,
    responses: [
      { status: 200, description: 'A page of restore tests', schema: page(restoreTestSummary, 'RestoreTestPage') },
    ],
    async handle({ params, query, ports }) {
      const result = await ports.restoreTests.page(params.tenant, {
        limit: query.limit,
        ...(query.resource === undefined ? {} : { resourceId: query.resource }),
        ...(query.outcome === undefined ? {} : { outcome: query.outcome }),
        ...(query.from === undefined ? {} : { from: query.from }),
        ...(query.to === undefined ? {} : { to: query.to }),
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      });
      return {
        json: {
          items: result.items.map(publicSummary),
          ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
        },
      };
    },
  }),
  route({
    id: 'getRestoreTest',
    method: 'GET',
    path: '/v1/tenants/{tenant}/restore-tests/{testId}',
    summary: 'The full evidence record of one test: checks, mismatches by name, RTO, achieved RPO, cleanup proof',
    auth: 'tenant:read',
    params: restoreTestParams,
    responses: [{ status: 200, description: 'The evidence', schema: restoreTestEvidence }],
    async handle({ params, ports }) {
      const summary = await ports.restoreTests.get(params.tenant, params.testId);
      if (!summary) throw new NotFoundError('NoSuchRestoreTest', `no restore test ${params.testId}`);
      return { json: JSON.parse(await ports.blobs.getText(summary.evidenceKey, MAX_EVIDENCE_BYTES)) };
    },
  }),
];
