/**
 * Who asks for an export, and to whom its secrets are sealed, come from trusted sources only. The
 * requester is the authenticated principal of the CLI or the portal, written with the request
 * (`runs/<tenant>/<exportId>/request.json`) before the workflow starts; the workflow's execution
 * input carries no actor and no recipients, so whoever may only start executions cannot choose
 * either. Recipients are the applied strategy's (changing them is a strategy change, audit-logged)
 * unless an override was approved by a second person, recorded in the audit log beforehand.
 */

import type { AuditDeps } from '../../audit/ports.ts';
import { exportKeys } from '../../dossier/assemble-sources.ts';
import { recipientFingerprint } from '../../dossier/escrow/keys.ts';
import type { ObjectStore } from '../../dossier/ports.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { recordInAuditLog } from '../audit-trail.ts';
import { exportExecutionName } from './run-io.ts';
import type { ExportInput } from './shapes.ts';

export interface RecipientOverride {
  recipients: string[];
  breakGlass?: string;
  custodians?: { recipients: string[]; threshold: number };
}

export interface ExportRequest {
  tenantId: string;
  exportId: string;
  requestedAt: string;
  /** The authenticated principal: an e-mail (portal), an IAM identity or an OS user (CLI). */
  requestedBy: string;
  /** An approved override of the strategy's recipients, with the audit entry that approved it. */
  override?: RecipientOverride & { approvalSeq: number; approvedBy: string };
}

export const requestKeyOf = (tenantId: string, exportId: string): string =>
  `${exportKeys.runPrefix(tenantId, exportId)}request.json`;

/** Every recipient the override seals to, by fingerprint, sorted: what the approval names. */
function overrideFingerprints(o: RecipientOverride): string[] {
  const all = [...o.recipients, ...(o.breakGlass ? [o.breakGlass] : []), ...(o.custodians?.recipients ?? [])];
  return [...new Set(all.map(recipientFingerprint))].sort();
}

const DAY = 86_400_000;

/** Records a second person's approval of sealing one export's secrets to other recipients than the strategy's. */
export async function approveRecipientOverride(
  deps: { audit: AuditDeps },
  input: { tenantId: string; override: RecipientOverride; approvedBy: string; now: number; validForMs?: number },
): Promise<{ approvalSeq: number; expiresAt: string }> {
  if (input.override.recipients.length === 0) {
    throw new ValidationError('NoRecipients', [
      { file: '<request>', path: 'recipients', message: 'expected at least one recipient' },
    ]);
  }
  const expiresAt = new Date(input.now + (input.validForMs ?? DAY)).toISOString();
  const fingerprints = overrideFingerprints(input.override);
  const logged = await recordInAuditLog(deps.audit, input.tenantId, {
    type: 'escrow-override-approval',
    record: { ...input.override, approvedBy: input.approvedBy, expiresAt },
    summary: { recipientFingerprints: fingerprints, approvedBy: input.approvedBy, expiresAt },
    time: input.now,
  });
  return { approvalSeq: logged.seq, expiresAt };
}

/** The approval entry must exist, name exactly these recipients, come from someone else, and not be expired. */
export async function checkApproval(
  audit: AuditDeps,
  tenantId: string,
  override: RecipientOverride & { approvalSeq: number },
  requestedBy: string,
  now: number,
): Promise<{ approvedBy: string }> {
  let body: string | undefined;
  for await (const e of audit.store.listEntries(tenantId, override.approvalSeq, override.approvalSeq)) body = e.body;
  if (body === undefined)
    throw new NotFoundError('NoApproval', `no audit entry ${override.approvalSeq} for tenant ${tenantId}`);
  const entry = JSON.parse(body) as {
    type?: string;
    summary?: { recipientFingerprints?: unknown; approvedBy?: unknown; expiresAt?: unknown };
  };
  const s = entry.summary ?? {};
  if (entry.type !== 'escrow-override-approval') {
    throw new ForbiddenError('NotAnApproval', `audit entry ${override.approvalSeq} is not an escrow override approval`);
  }
  if (JSON.stringify(s.recipientFingerprints) !== JSON.stringify(overrideFingerprints(override))) {
    throw new ForbiddenError('ApprovalMismatch', `audit entry ${override.approvalSeq} approved other recipients`);
  }
  if (typeof s.approvedBy !== 'string' || s.approvedBy === requestedBy) {
    throw new ForbiddenError(
      'SelfApproval',
      'an override of the recipients needs the approval of someone else than the requester',
    );
  }
  if (typeof s.expiresAt !== 'string' || Date.parse(s.expiresAt) <= now) {
    throw new ForbiddenError('ApprovalExpired', `the approval in audit entry ${override.approvalSeq} has expired`);
  }
  return { approvedBy: s.approvedBy };
}

/** Records the request; the returned input is all the workflow is started with. */
export async function requestExport(
  deps: { objects: Pick<ObjectStore, 'put'>; audit: AuditDeps },
  input: {
    tenantId: string;
    requestedBy: string;
    now: number;
    override?: RecipientOverride & { approvalSeq: number };
    embedData?: boolean;
  },
): Promise<{ input: ExportInput; executionName: string }> {
  const exportId = exportExecutionName(input.tenantId, input.now);
  const requestedAt = new Date(input.now).toISOString();
  const request: ExportRequest = { tenantId: input.tenantId, exportId, requestedAt, requestedBy: input.requestedBy };
  if (input.override) {
    const { approvedBy } = await checkApproval(
      deps.audit,
      input.tenantId,
      input.override,
      input.requestedBy,
      input.now,
    );
    request.override = { ...input.override, approvedBy };
  }
  await deps.objects.put(requestKeyOf(input.tenantId, exportId), JSON.stringify(request), 'application/json');
  return {
    input: {
      tenantId: input.tenantId,
      requestedAt,
      ...(input.embedData === undefined ? {} : { embedData: input.embedData }),
    },
    executionName: exportId,
  };
}
