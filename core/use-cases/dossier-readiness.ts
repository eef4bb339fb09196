/**
 * Is the tenant's latest dossier still an accurate picture? Recomputes the inputs fingerprint
 * exactly as the export recorded it (core/dossier/assemble-inputs.ts) and compares group by group,
 * so `reversa status` says WHAT changed: strategy, inventory, configurations, procedures, a rotated
 * secret, new restore evidence.
 */
import { type CurrentInputsOptions, currentInputs, type DossierInputDeps } from '../dossier/assemble-inputs.ts';
import type { DossierStore } from '../dossier/ports.ts';
import { type InputsFingerprint, type Readiness, readiness } from '../dossier/readiness.ts';

export interface DossierReadinessDeps extends DossierInputDeps {
  dossiers: Pick<DossierStore, 'getLatest'>;
}

export interface DossierReadiness extends Readiness {
  tenantId: string;
  /** ISO-8601: when readiness was judged. */
  checkedAt: string;
  current: InputsFingerprint;
  /** The latest version's change summary, when there is one. */
  lastChangeSummary?: string;
}

export async function dossierReadiness(
  deps: DossierReadinessDeps,
  tenantId: string,
  now: number,
  options: CurrentInputsOptions = {},
): Promise<DossierReadiness> {
  const [inputs, latest] = await Promise.all([
    currentInputs(deps, tenantId, options),
    deps.dossiers.getLatest(tenantId),
  ]);
  const judged = readiness(
    latest === undefined
      ? undefined
      : { fingerprint: latest.inputsFingerprint, version: latest.version, exportedAt: Date.parse(latest.createdAt) },
    inputs.fingerprint,
  );
  const result: DossierReadiness = {
    ...judged,
    tenantId,
    checkedAt: new Date(now).toISOString(),
    current: inputs.fingerprint,
  };
  if (latest !== undefined) result.lastChangeSummary = latest.changeSummary;
  return result;
}
