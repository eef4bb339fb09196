/**
 * Is the tenant's latest dossier still an accurate picture? Recomputes the inputs fingerprint
 * exactly as the export recorded it (core/dossier/assemble-inputs.ts) and compares group by group,
 * so `reversa status` says WHAT changed: strategy, inventory, configurations, procedures, a rotated
 * secret, new restore evidence.
 */
import { type CurrentInputsOptions, currentInputs, type DossierInputDeps } from '../dossier/assemble-inputs.ts';
import type { DossierStore } from '../dossier/ports.ts';
import { type InputsFingerprint, type Readiness, readiness } from '../dossier/readiness.ts';
import type { ReversaEvent, ReversaEventSink } from '../events/catalogue.ts';

export interface DossierReadinessDeps extends DossierInputDeps {
  dossiers: Pick<DossierStore, 'getLatest'>;
  /** Told when a check finds the published dossier stale (notifications); none: nobody. */
  notifications?: ReversaEventSink;
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
  if (result.status === 'stale' && deps.notifications) await deps.notifications.emit(staleEvent(result));
  return result;
}

/**
 * `reversa.dossier.stale`, from whichever check notices it (status, the portal, an export's
 * Prepare). The id is the published version and the current inputs, so the same stale picture is
 * told once however often it is checked, and a further change is told again.
 */
export function staleEvent(r: DossierReadiness): ReversaEvent {
  const version = r.lastVersion ?? 0;
  return {
    id: `${r.tenantId}:dossier:v${version}:stale:${r.current.sha256.slice(0, 16)}`,
    type: 'reversa.dossier.stale',
    tenantId: r.tenantId,
    time: r.checkedAt,
    severity: 'medium',
    subject: `dossier v${version}`,
    summary: `reversibility dossier v${version} is stale: ${r.changed.join(', ')} changed since it was exported`,
    data: { version, changed: r.changed.join(',') },
  };
}
