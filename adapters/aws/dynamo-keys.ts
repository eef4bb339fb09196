/**
 * The single-table key layout (pk/sk strings, no GSI), in one place. docs/storage.md explains the
 * access pattern behind each key. Tenant ids match ^[a-z0-9][a-z0-9-]{0,62}$ so `#` never appears
 * in them; resource and job ids may contain anything, so they always come last in a key.
 */
import { iso } from './dynamo-support.ts';

export const keys = {
  /** All facts (jobs and recovery points) of one resource. */
  resourcePk: (tenantId: string, resourceId: string) => `T#${tenantId}#R#${resourceId}`,
  /** Jobs sort by start time, so a Query on `J#<iso(since)>`..`J#\uffff` reads a window. */
  jobSk: (startedAt: number, source: string, jobId: string) => `J#${iso(startedAt)}#${source}#${jobId}`,
  jobSinceSk: (since: number) => `J#${iso(Math.max(0, since))}`,
  jobEndSk: 'J#\uffff',
  /**
   * Points are keyed by identity only: observations of one point disagree on its time (a backup
   * job's creationDate vs the recovery point's creationDate), and a time in the key would turn
   * them into two points.
   */
  pointSk: (source: string, recoveryPointId: string) => `P#${source}#${recoveryPointId}`,
  pointPrefix: 'P#',

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
