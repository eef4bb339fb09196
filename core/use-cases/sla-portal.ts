/**
 * The SLA statement as the portal serves it. A closed period's statement is read from the store
 * (the latest version); when none is stored yet, only a caller allowed to issue (the provider's
 * roles: `sla:issue`) issues it — issuing signs and appends to the audit log, a write a client or
 * an auditor may not cause. Every read by someone who is not the provider is itself recorded in the
 * audit log ('sla-statement-read'), like a dossier link: the provider can show who saw what, when.
 * Re-issuing after a correction stays with the CLI and the monthly schedule: a GET never supersedes.
 */
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { recordInAuditLog } from './audit-trail.ts';
import { slaPeriod, slaTenant } from './sla-gather.ts';
import {
  type IssuedStatement,
  readStatement,
  type SlaStatementDeps,
  slaStatement,
  statementVersions,
} from './sla-statement.ts';

export interface StatementReader {
  email: string;
  /** May issue the statement when none is stored (provider roles). */
  mayIssue: boolean;
}

export interface PortalStatement {
  record: IssuedStatement;
  html: string;
  /** True when this request issued it. */
  created: boolean;
  /** The audit entry recording this read (readers who may not issue only). */
  readSeq?: number;
}

/** Where the period came from, for the problem a bad one gets (`<path>` for the API). */
function periodOf(
  text: string,
  tenant: Awaited<ReturnType<typeof slaTenant>>,
  file: string,
): ReturnType<typeof slaPeriod> {
  try {
    return slaPeriod(text, tenant.doc, tenant.contract);
  } catch (error) {
    if (error instanceof ValidationError && error.code === 'InvalidPeriod') {
      throw new ValidationError(
        'InvalidPeriod',
        error.problems.map((p) => ({ ...p, file })),
      );
    }
    throw error;
  }
}

export async function portalStatement(
  deps: SlaStatementDeps,
  input: { tenantId: string; period: string; now: number; reader: StatementReader; format: 'json' | 'html' },
): Promise<PortalStatement> {
  const tenant = await slaTenant(deps, input.tenantId);
  const period = periodOf(input.period, tenant, '<path>');
  if (input.now < period.to) {
    throw new ConflictError(
      'PeriodNotOver',
      `period ${period.label} ends ${new Date(period.to).toISOString()}: its statement is issued then; until then see /v1/tenants/${input.tenantId}/sla/standing`,
    );
  }
  const last = (await statementVersions(deps, input.tenantId, period.label)).at(-1);
  if (last === undefined) {
    if (!input.reader.mayIssue) {
      throw new NotFoundError(
        'StatementNotIssued',
        `the SLA statement of ${period.label} has not been issued yet: the provider issues it after the period ends`,
      );
    }
    const issued = await slaStatement(deps, {
      tenantId: input.tenantId,
      period: period.label,
      now: input.now,
      issuedBy: input.reader.email,
    });
    return { record: issued.record as IssuedStatement, html: issued.html, created: issued.created };
  }
  const record = await readStatement(deps, input.tenantId, period.label, last);
  const html = input.format === 'html' ? await deps.blobs.getText(record.htmlKey, 16 * 1024 * 1024) : '';
  if (input.reader.mayIssue) return { record, html, created: false };
  const logged = await recordInAuditLog(deps.audit, input.tenantId, {
    type: 'sla-statement-read',
    record: { period: record.period, version: record.version, readBy: input.reader.email, format: input.format },
    summary: {
      period: record.period,
      version: record.version,
      statementSha256: record.statementSha256,
      readBy: input.reader.email,
      format: input.format,
    },
    time: input.now,
  });
  return { record, html, created: false, readSeq: logged.seq };
}
