/**
 * The shapes of the reversibility export: its execution input, the context that flows between the
 * states (keys and numbers only, never data or secrets), each step's output, and the records the
 * steps leave under runs/<tenant>/<exportId>/ (plan, escrow metadata, assembled archive).
 */
import type { InputsFingerprint, SecretRef } from '../../dossier/readiness.ts';

/** The execution input (CLI `reversa dossier export`, a schedule, the API). Recipients are public keys. */
/**
 * The execution input. Who asked and to whom the secrets are sealed are NOT in it: they come from
 * the export request written by requestExport (request.ts) with the authenticated principal.
 */
export interface ExportInput {
  tenantId: string;
  /** ISO-8601; the execution name is derived from its minute. Default: now. */
  requestedAt?: string;
  /** Override the strategy's embedData. */
  embedData?: boolean;
  /** bag-info Source-Organization: the provider. Default "Reversa". */
  sourceOrganization?: string;
}

export interface PrepareInput {
  input: ExportInput;
  /** `$$.Execution.Name`: the exportId. */
  executionName?: string;
}

/** What flows between the steps: keys and numbers only. */
export interface ExportContext {
  tenantId: string;
  exportId: string;
  version: number;
  planKey: string;
}

export const GATHER_PARTS = ['inventory', 'catalogue', 'evidence', 'escrow', 'contacts'] as const;
export type GatherPart = (typeof GATHER_PARTS)[number];

export interface GatherInput extends ExportContext {
  part: GatherPart;
}

export interface GatherOutput {
  part: GatherPart;
  files: number;
  bytes: number;
}

export interface AssembleOutput extends ExportContext {
  zipKey: string;
}

/** The detail of the 'Reversa Dossier Published' event, and the execution's output. */
export interface DossierPublishedDetail {
  tenantId: string;
  version: number;
  exportId: string;
  zipKey: string;
  zipSha256: string;
  zipBytes: number;
  signerFingerprint: string;
  recipientFingerprints: string[];
  changeSummary: string;
  createdAt: string;
  createdBy: string;
  auditSeq: number;
}

export interface AuditOutput extends ExportContext {
  detail: DossierPublishedDetail;
}

export interface AbortInput {
  tenantId: string;
  exportId: string;
}

export interface AbortOutput {
  tenantId: string;
  exportId: string;
  /** Objects deleted (staging and unpublished dossier objects). */
  deleted: number;
  /** True when the version had already been published: its objects were kept. */
  published: boolean;
}

/** What Prepare writes to runs/<tenant>/<exportId>/plan.json. */
export interface ExportPlan {
  planVersion: 1;
  tenantId: string;
  exportId: string;
  version: number;
  requestedAt: string;
  requestedBy: string;
  strategyVersion: number;
  recipients: string[];
  breakGlass?: string;
  custodians?: { recipients: string[]; threshold: number };
  embedData: boolean;
  sourceOrganization: string;
  fingerprint: InputsFingerprint;
}

export interface EscrowMeta {
  recipientFingerprints: string[];
  secretRefs: SecretRef[];
}

export interface AssembledRecord {
  zipKey: string;
  zipName: string;
  zipSha256: string;
  zipBytes: number;
  payloadOxum: string;
  signerFingerprint: string;
  manifestKey: string;
  embedded: number;
  fetched: number;
}
