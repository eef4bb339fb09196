/**
 * What the dossier export and readiness need from the outside world. One object for every step
 * of statemachines/reversibility-export.asl.json, so each Lambda handler and the local runner
 * build it the same way (wiring/aws/dossier.ts, wiring/local/dossier.ts).
 */
import type { AuditDeps, Signer } from '../audit/ports.ts';
import type { DossierInputDeps } from '../dossier/assemble-inputs.ts';
import type { DossierStore, ObjectStore } from '../dossier/ports.ts';
import type { BlobStore, Clock, FactStore } from '../ports.ts';

export interface DossierExportTuning {
  /** Provider files of this size or more are "large backup data" (fetch.txt unless embedData). Default 1 GiB. */
  largeFileBytes?: number;
  /** Part size when embedding a file too large for one zip entry. Default 2 GiB. */
  partBytes?: number;
  /** A version claim older than this is taken over (its run died without aborting). Default 24 h. */
  staleReservationMs?: number;
}

export interface DossierDeps extends DossierInputDeps {
  facts: Pick<FactStore, 'listSeenResources' | 'getFacts'>;
  /** Data bucket as text: restore-test evidence JSON. */
  blobs: Pick<BlobStore, 'getText'>;
  /** The dossier bucket: archives, sidecars, manifest indexes. */
  dossierObjects: ObjectStore;
  dossiers: DossierStore;
  audit: AuditDeps;
  dossierSigner: Signer;
  clock: Clock;
  tuning?: DossierExportTuning;
}
