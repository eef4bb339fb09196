/**
 * Where a restore test's artefacts live. Keys derive from the (deterministic) test id alone, so a
 * retried step rewrites the same objects and Cleanup and Record find what earlier steps wrote,
 * even after a crash.
 */
export const restoreRunPrefix = (tenantId: string, testId: string) => `runs/${tenantId}/${testId}/`;
export const restorePlanKey = (tenantId: string, testId: string) => `${restoreRunPrefix(tenantId, testId)}plan.json`;
/** The artefacts the steps after Prepare write under the run prefix, in the order they are written. */
export type ArtefactName = 'restore' | 'validate' | 'cleanup' | 'recorded';
export const artefactKey = (tenantId: string, testId: string, name: ArtefactName) =>
  `${restoreRunPrefix(tenantId, testId)}${name}.json`;
/** Where the evidence record of a test is stored (JSON, times in epoch ms as RestoreTestEvidence defines). */
export const evidenceKeyOf = (tenantId: string, testId: string) => `restore-tests/${tenantId}/${testId}.json`;
/** One finding per failed test. */
export const findingIdOf = (testId: string) => `finding-${testId}`;
