/**
 * The single-table key layout (pk/sk strings, no GSI), in one place. docs/storage.md explains the
 * access pattern behind each key. Tenant ids match ^[a-z0-9][a-z0-9-]{0,62}$ so `#` never appears
 * in them; resource and job ids may contain anything, so they always come last in a key.
 */
import { iso } from './dynamo-support.ts';

export const keys = {
  /** All facts (jobs and recovery points) of one resource, sorted by time. */
  resourcePk: (tenantId: string, resourceId: string) => `T#${tenantId}#R#${resourceId}`,
  /** Time first, so one Query `sk >= iso(since)` returns both kinds already in time order. */
  jobSk: (startedAt: number, source: string, jobId: string) => `${iso(startedAt)}#J#${source}#${jobId}`,
  pointSk: (createdAt: number, source: string, recoveryPointId: string) =>
    `${iso(createdAt)}#P#${source}#${recoveryPointId}`,
  sinceSk: (since: number) => iso(Math.max(0, since)),

  seenPk: (tenantId: string) => `T#${tenantId}#SEEN`,
  seenSk: (source: string, resourceId: string) => `S#${source}#${resourceId}`,

  strategyPk: (tenantId: string) => `T#${tenantId}#STRATEGY`,
  /** Zero-padded so versions sort numerically. */
  strategyVersionSk: (version: number) => `V#${String(version).padStart(10, '0')}`,
  strategyVersionPrefix: 'V#',
  tenantsPk: 'TENANTS',
  tenantSk: (tenantId: string) => `T#${tenantId}`,

  reportPk: (tenantId: string) => `T#${tenantId}#REPORT`,
  reportSk: (evaluatedAt: string, runId: string) => `R#${evaluatedAt}#${runId}`,
  reportPrefix: 'R#',
  latestSk: 'LATEST',

  tenantStatePk: (tenantId: string) => `T#${tenantId}#STATE`,
  tenantStateSk: 'STATE',
  tenantAccountsSk: 'AWS_ACCOUNTS',
  accountRoutePk: (accountId: string) => `AWS#${accountId}`,
  accountRouteSk: 'ROUTE',
} as const;
