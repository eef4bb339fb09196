/** Step 5 of the restore-test workflow: Record, on every path (evidence, index, audit log, finding). */

import type { ReversaEvent } from '../../events/catalogue.ts';
import {
  buildEvidence,
  type CleanupProof,
  type EvidenceInput,
  type RestoreRunner,
  type RestoreTestEvidence,
  type RunError,
  truncateMessage,
} from '../../restore/evidence.ts';
import type { RestoreFinding, RestoreTestSummary } from '../../restore/ports.ts';
import { recordInAuditLog } from '../audit-trail.ts';
import { currentIncidentPolicy, restoreIncidentFor } from '../incidents.ts';
import { putJson, readOptional } from './artefacts.ts';
import { nothingToClean } from './cleanup.ts';
import { artefactKey, evidenceKeyOf, findingIdOf, restorePlanKey } from './keys.ts';
import type { RestoreTestDeps } from './ports.ts';
import type { RecordOutput, RestorePlan, RestoreTestState, RunnerArtefact, ValidateArtefact } from './shapes.ts';
import { checkText, identityOf } from './state.ts';

/** A Catch's `{Error, Cause}` as a RunError. AWS wraps a Lambda error's message in a JSON Cause. */
export function failureToRunError(failure: { Error?: string; Cause?: string }): RunError {
  const name = typeof failure.Error === 'string' && failure.Error ? failure.Error : 'States.TaskFailed';
  let message = typeof failure.Cause === 'string' ? failure.Cause : '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    // A plain-text cause (local runner, States.* errors).
  }
  return { name, message: truncateMessage(message || 'no cause given') };
}

/** What the earlier steps left under the run prefix (each may be missing: Record runs on every path). */
interface RunArtefacts {
  plan?: RestorePlan;
  restored?: RunnerArtefact;
  validated?: ValidateArtefact;
  cleanup?: CleanupProof;
}

async function readArtefacts(deps: RestoreTestDeps, tenantId: string, testId: string): Promise<RunArtefacts> {
  const found: RunArtefacts = {};
  const plan = await readOptional<RestorePlan>(deps.blobs, restorePlanKey(tenantId, testId));
  const restored = await readOptional<RunnerArtefact>(deps.blobs, artefactKey(tenantId, testId, 'restore'));
  const validated = await readOptional<ValidateArtefact>(deps.blobs, artefactKey(tenantId, testId, 'validate'));
  const cleanup = await readOptional<CleanupProof>(deps.blobs, artefactKey(tenantId, testId, 'cleanup'));
  if (plan !== undefined) found.plan = plan;
  if (restored !== undefined) found.restored = restored;
  if (validated !== undefined) found.validated = validated;
  if (cleanup !== undefined) found.cleanup = cleanup;
  return found;
}

/** The cleanup proof to record: a Cleanup step that itself failed (caught by the ASL) is a FAILED cleanup. */
function cleanupToRecord(state: RestoreTestState, run: RunArtefacts, now: number): CleanupProof {
  if (state.cleanupFailure) {
    const e = failureToRunError(state.cleanupFailure);
    return {
      target: run.cleanup?.target ?? run.restored?.sandbox ?? 'unknown',
      startedAt: now,
      endedAt: now,
      removed: 0,
      remaining: -1,
      result: 'FAILED',
      message: truncateMessage(`cleanup step failed: ${e.name}: ${e.message}`),
    };
  }
  return run.cleanup ?? nothingToClean(now);
}

/** Why the test did not run to the end: the failure that brought us here, the plan's own error, or the runner's. */
function runErrorOf(state: RestoreTestState, run: RunArtefacts): RunError | undefined {
  if (state.failure) return failureToRunError(state.failure);
  if (run.plan === undefined) return { name: 'NoPlan', message: 'the test was never prepared' };
  return run.plan.error ?? run.restored?.error;
}

function evidenceInputOf(
  id: ReturnType<typeof identityOf>,
  state: RestoreTestState,
  run: RunArtefacts,
  cleanup: CleanupProof,
): EvidenceInput {
  const { plan, restored, validated } = run;
  const input: EvidenceInput = {
    tenantId: id.tenantId,
    resourceId: id.resourceId,
    scheduledAt: id.scheduledAt,
    policyName: plan?.policyName ?? checkText(state.policyName, 'policyName', 128),
    // Without a plan the runner is unknown; the record says so rather than guessing.
    runner: plan?.runner ?? ('unknown' as RestoreRunner),
    strategyVersion: plan?.strategyVersion ?? { version: 0, contentSha256: '' },
    sample: restored?.sample ?? { mode: 'all', selected: 0, of: 0 },
    sandbox: restored?.sandbox ?? cleanup.target,
    maxRto: plan?.maxRto ?? { ms: 0, text: 'unknown' },
    checks: validated?.checks ?? restored?.checks ?? [],
    cleanup,
  };
  if (plan?.recoveryPoint) input.recoveryPoint = plan.recoveryPoint;
  if (restored?.restore) input.restore = restored.restore;
  const validation = validated?.validation ?? restored?.validation;
  if (validation) input.validation = validation;
  const error = runErrorOf(state, run);
  if (error) input.error = error;
  return input;
}

/** One finding per test that did not pass, for the provider to fill in (`reversa finding update`). */
function findingFor(evidence: RestoreTestEvidence, now: number): RestoreFinding {
  return {
    tenantId: evidence.tenantId,
    findingId: findingIdOf(evidence.testId),
    testId: evidence.testId,
    resourceId: evidence.resourceId,
    outcome: evidence.outcome,
    summary: truncateMessage(`restore test ${evidence.outcome}: ${evidence.reason}`),
    openedAt: new Date(now).toISOString(),
    status: 'OPEN',
    severity: evidence.outcome === 'FAILED' ? 'high' : 'medium',
    // Filled in by the provider (`reversa incident close`): empty until then.
    rootCause: '',
    correctiveAction: '',
  };
}

/**
 * Step 5, ALWAYS: build the evidence from the artefacts (and the failure that brought us here, if
 * any), store it, index it, log it in the tenant's audit log, and open a finding when the test did
 * not pass. Idempotent: a retried Record returns what the first one recorded.
 */
export async function record(deps: RestoreTestDeps, state: RestoreTestState): Promise<RecordOutput> {
  const id = identityOf(state);
  const recordedKey = artefactKey(id.tenantId, id.testId, 'recorded');
  const already = await readOptional<RecordOutput>(deps.blobs, recordedKey);
  if (already) return already;

  const run = await readArtefacts(deps, id.tenantId, id.testId);
  const now = deps.clock.now();
  const evidence = buildEvidence(evidenceInputOf(id, state, run, cleanupToRecord(state, run, now)));

  const evidenceKey = evidenceKeyOf(id.tenantId, id.testId);
  // A Record that died after writing the evidence left the very record its audit entry may hash: keep it.
  const written = await readOptional<typeof evidence>(deps.blobs, evidenceKey);
  const kept = written ?? evidence;
  if (!written) await putJson(deps.blobs, evidenceKey, evidence);
  const logged = await recordInAuditLog(
    deps.audit,
    id.tenantId,
    { type: 'restore-test', record: kept, summary: auditSummary(kept, evidenceKey), time: now },
    { once: `restore-test:${id.testId}` },
  );
  await deps.restoreTests.put(summaryOf(kept, evidenceKey, logged.seq, now));

  const out: RecordOutput = {
    tenantId: id.tenantId,
    testId: id.testId,
    outcome: kept.outcome,
    reason: kept.reason,
    evidenceKey,
    auditSeq: logged.seq,
  };
  if (kept.outcome !== 'PASSED') {
    const policy = await currentIncidentPolicy(deps.strategies, id.tenantId);
    const finding = await restoreIncidentFor(deps, findingFor(kept, now), policy.recurrence);
    const opened = await deps.findings.open(finding);
    out.findingId = finding.findingId;
    await emitFailure(deps, kept, finding, opened, now);
  }
  await putJson(deps.blobs, recordedKey, out);
  return out;
}

/**
 * A test that did not pass is told: `reversa.restore-test.failed`, and `reversa.finding.opened` (or
 * `reversa.incident.recurring` when it repeats a failure fixed within the window) for its incident.
 * Ids are fixed by the test, so a retried Record emits the same events and delivery recognises them.
 */
async function emitFailure(
  deps: RestoreTestDeps,
  e: RestoreTestEvidence,
  finding: RestoreFinding,
  opened: boolean,
  now: number,
): Promise<void> {
  if (!deps.notifications) return;
  const time = new Date(now).toISOString();
  const severity = finding.severity ?? 'high';
  const base = { tenantId: e.tenantId, time, severity, subject: e.testId } as const;
  const summary = `${e.resourceId}: restore test ${e.outcome}: ${e.reason}`.slice(0, 300);
  const data = { testId: e.testId, resourceId: e.resourceId, policyName: e.policyName, outcome: e.outcome };
  const events: ReversaEvent[] = [
    {
      ...base,
      id: `${e.tenantId}:${e.testId}:reversa.restore-test.failed`,
      type: 'reversa.restore-test.failed',
      summary,
      data,
    },
  ];
  if (opened) {
    const type = finding.recurring ? 'reversa.incident.recurring' : 'reversa.finding.opened';
    events.push({
      ...base,
      id: `${e.tenantId}:${finding.findingId}:r0:${type}`,
      type,
      subject: finding.findingId,
      summary,
      data: {
        findingId: finding.findingId,
        ...data,
        source: 'restore-test',
        ...(finding.recurrenceOf ? { recurrenceOf: finding.recurrenceOf } : {}),
      },
    });
  }
  for (const event of events) await deps.notifications.emit(event);
}

function auditSummary(e: RestoreTestEvidence, evidenceKey: string) {
  return {
    testId: e.testId,
    resourceId: e.resourceId,
    policyName: e.policyName,
    runner: e.runner,
    outcome: e.outcome,
    reason: e.reason.slice(0, 500),
    recoveryPointId: e.recoveryPoint?.id ?? null,
    rtoMs: e.rto.achievedMs ?? null,
    rtoMet: e.rto.met,
    cleanup: e.cleanup.result,
    evidenceKey,
  };
}

function summaryOf(e: RestoreTestEvidence, evidenceKey: string, auditSeq: number, now: number): RestoreTestSummary {
  const s: RestoreTestSummary = {
    tenantId: e.tenantId,
    testId: e.testId,
    resourceId: e.resourceId,
    policyName: e.policyName,
    runner: e.runner,
    outcome: e.outcome,
    reason: e.reason,
    scheduledAt: new Date(e.scheduledAt).toISOString(),
    startedAt: new Date(e.restore?.startedAt ?? now).toISOString(),
    rtoTargetMs: e.rto.targetMs,
    rtoMet: e.rto.met,
    strategyVersion: e.strategyVersion.version,
    evidenceKey,
    auditSeq,
  };
  if (e.rto.achievedMs !== undefined) s.rtoMs = e.rto.achievedMs;
  if (e.recoveryPoint) {
    s.achievedRpoMs = e.recoveryPoint.achievedRpoMs;
    s.recoveryPointId = e.recoveryPoint.id;
  }
  return s;
}
