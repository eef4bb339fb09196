/**
 * The API's request and response shapes, as zod schemas: the handlers validate requests with them,
 * the tests validate responses with them, and schema/openapi.json is generated from them
 * (api/openapi.ts). One definition, three uses.
 */
import * as z from 'zod';
import { ROLES } from '#core/identity/roles.ts';
import { INCIDENT_CAUSES, INCIDENT_SEVERITIES, INCIDENT_STATES } from '#core/incidents/model.ts';
import { RESTORE_OUTCOMES } from '#core/restore/evidence.ts';

export const tenantId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
  .describe('A tenant id: lower-case letters, digits and dashes');
const iso = z.string().describe('ISO-8601 date-time');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const cursor = z.string().max(1024).describe('Opaque: the nextCursor of the previous page');
const limit = z.coerce.number().int().min(1).max(200).default(50);

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    code: z.string().optional(),
    problems: z
      .array(z.object({ file: z.string(), path: z.string(), line: z.number().optional(), message: z.string() }))
      .optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export const page = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional() }).meta({ id });

/* ----------------------------------------------------------------------------- auth */

export const loginRequest = z
  .object({ email: z.string().min(3).max(320), password: z.string().min(1).max(1024) })
  .strict()
  .meta({ id: 'LoginRequest' });
export const loginResponse = z.object({ token: z.string(), expiresAt: iso }).meta({ id: 'LoginResponse' });
export const meResponse = z
  .object({
    email: z.string(),
    role: z.enum(ROLES),
    tenants: z.array(tenantId),
    accessUntil: iso.optional(),
    expiresAt: iso,
  })
  .meta({ id: 'Me' });

/* ----------------------------------------------------------------------------- tenants */

export const tenantParams = z.object({ tenant: tenantId });
export const tenantsResponse = z
  .object({ tenants: z.array(z.object({ id: tenantId, name: z.string() })) })
  .meta({ id: 'Tenants' });

export const statusResponse = z
  .object({
    id: tenantId,
    name: z.string(),
    strategyVersion: z.number().int().nullable(),
    compliancePercent: z.number().nullable(),
    lastVerifiedAt: iso.nullable(),
    openFindings: z.number().int().nullable(),
    newFindings: z.number().int().nullable(),
    nextDeadline: iso.nullable(),
    pendingFacts: z.boolean(),
    findingsBySeverity: z.record(z.string(), z.number().int()),
    lateNow: z.array(z.object({ resourceId: z.string(), rule: z.string(), reason: z.string() })),
    restoreTests: z.object({
      last30Days: z.number().int(),
      passed: z.number().int(),
      failed: z.number().int(),
      lastOutcome: z.string().nullable(),
      lastTestAt: iso.nullable(),
      openFindings: z.number().int(),
      passRate: z.number().nullable(),
      lastRtos: z.array(
        z.object({ resourceId: z.string(), startedAt: iso, rtoMs: z.number(), rtoTargetMs: z.number() }),
      ),
    }),
    dossier: z.object({
      readiness: z.string(),
      changed: z.array(z.string()),
      lastVersion: z.number().int().nullable(),
      lastExportedAt: iso.nullable(),
    }),
  })
  .meta({ id: 'TenantStatus' });

export const reportQuery = z.object({ format: z.enum(['json', 'html']).default('json') });
export const reportHistoryQuery = z.object({ limit });
export const reportSummary = z
  .object({
    runId: z.string(),
    evaluatedAt: iso,
    strategyVersion: z.number().int(),
    compliancePercent: z.number(),
    counts: z.object({
      resources: z.number().int(),
      compliant: z.number().int(),
      nonCompliant: z.number().int(),
      notApplicable: z.number().int(),
      findings: z.number().int(),
    }),
    newFindings: z.number().int(),
    resolvedFindings: z.number().int(),
    nextDeadline: iso.optional(),
  })
  .meta({ id: 'ReportSummary' });
export const reportHistoryResponse = z.object({ items: z.array(reportSummary) }).meta({ id: 'ReportHistory' });
export const verificationReport = z
  .object({ tenantId, evaluatedAt: iso })
  .catchall(z.unknown())
  .meta({ id: 'VerificationReport', description: 'The full report of a verification run (see docs/rules.md)' });

/* ----------------------------------------------------------------------------- findings */

export const findingParams = tenantParams.extend({ findingId: z.string().min(1).max(300) });
export const findingsQuery = z.object({
  status: z.enum(['open', 'closed']).optional(),
  state: z.enum(INCIDENT_STATES).optional(),
  source: z.enum(['restore-test', 'verification']).optional(),
  limit,
  cursor: cursor.optional(),
});
export const finding = z
  .object({
    findingId: z.string(),
    source: z.enum(['restore-test', 'verification']),
    resourceId: z.string(),
    summary: z.string(),
    openedAt: iso,
    status: z.enum(['OPEN', 'CLOSED']),
    state: z.enum(INCIDENT_STATES),
    severity: z.enum(INCIDENT_SEVERITIES),
    acknowledgedAt: iso.optional(),
    resolvedAt: iso.optional(),
    closedAt: iso.optional(),
    rootCause: z.string().optional(),
    correctiveAction: z.string().optional(),
    cause: z.enum(INCIDENT_CAUSES).optional(),
    recurring: z.boolean(),
    recurrenceOf: z.string().optional(),
    reopenings: z.array(z.object({ at: iso, by: z.string(), recurring: z.boolean() })),
    revision: z.number().int(),
    testId: z.string().optional().describe('restore-test findings: the failed test'),
    outcome: z.enum(RESTORE_OUTCOMES).optional().describe('restore-test findings: its outcome'),
    ruleId: z.string().optional().describe('verification findings: the rule'),
    verificationFindingId: z.string().optional().describe('verification findings: resource#rule in the reports'),
    runId: z.string().optional().describe('verification findings: the run that (re)opened it'),
    updatedBy: z.string().optional(),
    updatedAt: iso.optional(),
  })
  .meta({ id: 'Finding', description: 'A finding and its incident lifecycle (docs/incidents.md)' });
export const timelineEntry = z
  .object({ at: iso, by: z.string(), kind: z.enum(['comment', 'change']), text: z.string() })
  .meta({ id: 'TimelineEntry' });
export const findingDetail = finding.extend({ timeline: z.array(timelineEntry) }).meta({ id: 'FindingDetail' });
const text = z.string().trim().min(1).max(4000);
export const findingPatch = z
  .object({
    state: z
      .enum(INCIDENT_STATES)
      .optional()
      .describe('A transition: ACKNOWLEDGED, RESOLVED, CLOSED, or OPEN to reopen'),
    rootCause: text.optional(),
    correctiveAction: text.optional(),
    cause: z.enum(INCIDENT_CAUSES).optional(),
    severity: z.enum(INCIDENT_SEVERITIES).optional(),
    note: text.optional(),
    status: z.enum(['OPEN', 'CLOSED']).optional().describe('Older form of state: CLOSED closes, OPEN reopens'),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, {
    message: 'expected state, rootCause, correctiveAction, cause, severity, note or status',
  })
  .refine((p) => p.state === undefined || p.status === undefined, { message: 'give state or status, not both' })
  .meta({ id: 'FindingPatch' });
export const commentRequest = z.object({ text }).strict().meta({ id: 'CommentRequest' });

/* ----------------------------------------------------------------------------- restore tests */

export const restoreTestParams = tenantParams.extend({ testId: z.string().min(1).max(300) });
export const restoreTestsQuery = z.object({
  resource: z.string().max(2048).optional(),
  outcome: z.enum(RESTORE_OUTCOMES).optional(),
  from: iso.optional(),
  to: iso.optional(),
  limit,
  cursor: cursor.optional(),
});
export const restoreTestSummary = z
  .object({
    testId: z.string(),
    resourceId: z.string(),
    policyName: z.string(),
    runner: z.string(),
    outcome: z.enum(RESTORE_OUTCOMES),
    reason: z.string(),
    scheduledAt: iso,
    startedAt: iso,
    rtoMs: z.number().optional(),
    rtoTargetMs: z.number(),
    rtoMet: z.boolean(),
    achievedRpoMs: z.number().optional(),
    recoveryPointId: z.string().optional(),
    strategyVersion: z.number().int(),
    auditSeq: z.number().int().optional(),
  })
  .meta({ id: 'RestoreTestSummary' });
export const restoreTestEvidence = z
  .object({ testId: z.string(), outcome: z.enum(RESTORE_OUTCOMES) })
  .catchall(z.unknown())
  .meta({ id: 'RestoreTestEvidence', description: 'The full evidence record (docs/restore-tests.md)' });

/* ----------------------------------------------------------------------------- audit */

export const auditEntriesQuery = z.object({ from: z.coerce.number().int().min(1).default(1), limit });
export const auditEntry = z
  .object({
    seq: z.number().int(),
    time: iso,
    type: z.string(),
    recordSha256: sha256,
    summary: z.record(z.string(), z.unknown()),
    prevHash: sha256,
    entryHash: sha256,
  })
  .meta({ id: 'AuditEntry' });
export const auditEntriesResponse = z
  .object({ items: z.array(auditEntry), nextFrom: z.number().int().optional() })
  .meta({ id: 'AuditEntries' });
const head = z.object({ seq: z.number().int(), entryHash: sha256, digestSeq: z.number().int(), digestSha256: sha256 });
export const auditVerificationResponse = z
  .object({
    ok: z.boolean(),
    entries: z.number().int(),
    digests: z.number().int(),
    headSeq: z.number().int(),
    headHash: z.string(),
    unsealed: z.number().int(),
    sealedHead: head.optional(),
    firstBad: z.object({ seq: z.number().int(), reason: z.string() }).optional(),
    problems: z.array(z.string()),
    publicKeyFingerprint: sha256,
    verifiedAt: iso,
  })
  .meta({ id: 'AuditVerification' });

/* ----------------------------------------------------------------------------- auditor report */

export const periodQuery = z.object({
  period: z
    .string()
    .regex(/^\d{4}(-(Q[1-4]|\d{2}))?$/)
    .describe('2026, 2026-Q3 or 2026-09'),
  format: z.enum(['json', 'html', 'pdf']).default('json'),
});
export const auditorReport = z
  .object({ tenantId, period: z.unknown() })
  .catchall(z.unknown())
  .meta({ id: 'AuditorReport', description: 'The auditor report model (docs/auditor-report.md)' });

/* ----------------------------------------------------------------------------- dossiers */

export const dossierVersion = z
  .object({
    version: z.number().int(),
    exportId: z.string(),
    zipSha256: sha256,
    zipBytes: z.number().int(),
    signerFingerprint: sha256,
    changeSummary: z.string(),
    createdAt: iso,
    createdBy: z.string(),
    auditSeq: z.number().int().optional(),
    fileName: z.string(),
  })
  .meta({ id: 'DossierVersion' });
export const dossiersResponse = z
  .object({
    readiness: z.object({
      status: z.enum(['ready', 'stale', 'never-exported']),
      changed: z.array(z.string()),
      checkedAt: iso,
    }),
    versions: z.array(dossierVersion),
    verifyCommands: z.array(z.object({ cwd: z.enum(['download', 'bag']), line: z.string(), proves: z.string() })),
  })
  .meta({ id: 'Dossiers' });
export const exportStarted = z.object({ executionName: z.string(), status: z.string() }).meta({ id: 'ExportStarted' });
export const linkParams = tenantParams.extend({ version: z.coerce.number().int().min(1) });
export const linkRequest = z
  .object({
    expiresIn: z
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .default(72 * 3600),
  })
  .strict()
  .meta({ id: 'LinkRequest' });
export const linkResponse = z
  .object({
    version: z.number().int(),
    expiresAt: iso,
    zipUrl: z.string(),
    checksumUrl: z.string(),
    signatureUrl: z.string(),
    zipSha256: sha256,
    zipBytes: z.number().int(),
    auditSeq: z.number().int(),
  })
  .meta({ id: 'DossierLink' });

/* ----------------------------------------------------------------------------- SLA */

const slaPeriodLabel = z
  .string()
  .regex(/^\d{4}-(Q[1-4]|0[1-9]|1[0-2])$/, {
    error: 'expected a measurement period as YYYY-MM (e.g. 2026-11) or YYYY-Qn (e.g. 2026-Q4)',
  })
  .describe('2026-11 (a month) or 2026-Q4 (a quarter), as the contract measures');
export const slaStatementParams = tenantParams.extend({ period: slaPeriodLabel });
export const slaStatementQuery = z.object({ format: z.enum(['json', 'html']).default('json') });
const slaLevel = z.object({
  id: z.string(),
  title: z.string(),
  /** Percent. */
  target: z.number(),
  achieved: z.number(),
  met: z.boolean(),
  breaches: z.number().int(),
  /** Minor units (cents), before the cap. */
  penalty: z.number().int(),
});
export const slaStandingResponse = z
  .object({
    period: z.string(),
    from: iso,
    to: iso,
    measuredTo: iso,
    timeZone: z.string(),
    contract: z.string(),
    currency: z.string(),
    levels: z.array(slaLevel),
    subtotal: z.number().int(),
    cap: z.number().int().nullable(),
    capApplied: z.boolean(),
    total: z.number().int(),
  })
  .meta({
    id: 'SlaStanding',
    description: "The current measurement period's standing so far (money in minor units): computed, never stored",
  });
export const slaStatementResponse = z
  .object({
    version: z.number().int(),
    period: z.string(),
    issuedAt: iso,
    issuedBy: z.string(),
    statementSha256: sha256,
    signature: z.string().describe('Base64 DER ECDSA over the canonical JSON of `statement`, by the audit key'),
    signerFingerprint: sha256,
    supersedes: z.number().int().optional(),
    changes: z.array(z.string()),
    auditSeq: z.number().int(),
    statement: z
      .object({ tenantId, period: z.unknown(), levels: z.array(z.unknown()), total: z.number().int() })
      .catchall(z.unknown()),
  })
  .meta({ id: 'SlaStatement', description: 'An issued SLA statement, signed (docs/contract.md)' });
