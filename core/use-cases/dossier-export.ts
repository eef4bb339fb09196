/**
 * The steps of the reversibility export (statemachines/reversibility-export.asl.json) as plain
 * functions over ports: each Lambda handler calls one, the local ASL runner calls the same ones.
 *
 *   Prepare → Gather (parallel parts) → Checklist → Assemble (zip streamed into a multipart upload)
 *   → Sign (sidecars) → Publish (immutable version row) → Audit (log entry) → Notify (event)
 *   any failure → Abort (upload aborted, unpublished objects and staging deleted) → Fail
 *
 * Payloads carry keys and small numbers, never data or secrets: generated documents and the escrow
 * CIPHERTEXT are staged under runs/<tenant>/<exportId>/staging/ at their payload path; provider
 * files are streamed from their own prefixes straight into the zip.
 *
 * One module per step lives in dossier-export/ (prepare, gather and its five parts, checklist,
 * assemble, sign, publish, audit, abort), with what they share (shapes, run I/O, payload listing,
 * staging). This module is the workflow's public surface: handlers, the CLI and the local runner
 * import from here, never from a step module.
 */
export { abortExport } from './dossier-export/abort.ts';
export { assembleAndUpload } from './dossier-export/assemble.ts';
export { auditDossier } from './dossier-export/audit.ts';
export { checkDossier } from './dossier-export/checklist.ts';
export { gatherPart } from './dossier-export/gather.ts';
export { prepareExport } from './dossier-export/prepare.ts';
export { publishDossier } from './dossier-export/publish.ts';
export {
  approveRecipientOverride,
  type ExportRequest,
  type RecipientOverride,
  requestExport,
  requestKeyOf,
} from './dossier-export/request.ts';
export { exportExecutionName } from './dossier-export/run-io.ts';
export {
  type AbortInput,
  type AbortOutput,
  type AssembleOutput,
  type AuditOutput,
  type DossierPublishedDetail,
  type ExportContext,
  type ExportInput,
  type ExportPlan,
  GATHER_PARTS,
  type GatherInput,
  type GatherOutput,
  type GatherPart,
  type PrepareInput,
} from './dossier-export/shapes.ts';
export { signDossier } from './dossier-export/sign.ts';
