/**
 * The steps of the restore-test workflow (statemachines/restore-test.asl.json), as plain functions
 * over ports. Each Lambda handler (functions/restore/*.ts) calls one of them; the local runner
 * (local/restore-runner.ts) calls the same ones.
 *
 *   Prepare → ChooseRunner → RestoreS3Archive | RestoreRestic | aws-backup polling loop
 *           → Validate → Cleanup (ALWAYS, also after any failure) → Record (ALWAYS) → Recorded
 *
 * Payloads carry keys, never data: every step writes its artefact under runs/<tenant>/<testId>/
 * (plan.json, restore.json, validate.json, cleanup.json) and Record builds the evidence from them.
 * The test id is deterministic (tenant, resource, scheduled slot), so a retried step rewrites the
 * same keys, and a schedule delivered twice names one execution.
 *
 * One module per step lives in restore-test/ (prepare, restore-s3-archive, restore-restic,
 * restore-aws-backup, validate, cleanup, record, start-tests), with what they share (ports, shapes,
 * keys, state checks, artefact I/O). This module is the workflow's public surface: handlers, the
 * CLI and the local runners import from here, never from a step module.
 */

export { cleanup } from './restore-test/cleanup.ts';
export { evidenceKeyOf, findingIdOf, restorePlanKey, restoreRunPrefix } from './restore-test/keys.ts';
export type {
  ArchiveOpeners,
  ResticRestorer,
  RestoreTestDeps,
  RestoreTestStarter,
  SandboxProvider,
} from './restore-test/ports.ts';
export { AWS_RESTORE_POLL_SECONDS, prepare } from './restore-test/prepare.ts';
export { failureToRunError, record } from './restore-test/record.ts';
export { describeAwsBackupRestore, startAwsBackupRestore } from './restore-test/restore-aws-backup.ts';
export { restoreRestic } from './restore-test/restore-restic.ts';
export { restoreS3Archive } from './restore-test/restore-s3-archive.ts';
export type {
  PrepareInput,
  RecordOutput,
  RestorePlan,
  RestoreTestInput,
  RestoreTestState,
  RunnerArtefact,
  RunnerOutcome,
  ValidateArtefact,
} from './restore-test/shapes.ts';
export { dispatchScheduledTests, runRestoreTestsNow, type StartedTest } from './restore-test/start-tests.ts';
export { restoreStateFromCommand, TEST_ID_PATTERN } from './restore-test/state.ts';
export { validate } from './restore-test/validate.ts';
