/**
 * What the restore-test steps need from the outside: the sandboxes they restore into, the archive
 * and restic runners, the execution starter, and the stores they read and record in. Adapters
 * implement these (adapters/aws, adapters/local); the steps never see an SDK.
 */

import type { AuditDeps } from '../../audit/ports.ts';
import type { ReversaEventSink } from '../../events/catalogue.ts';
import type { BlobStore, Clock, FactStore, StrategyStore } from '../../ports.ts';
import type { FindingStore, RestoreTestStore } from '../../restore/ports.ts';
import type { SecretProvider } from '../../restore/restic.ts';
import type { Sandbox } from '../../restore/sandbox.ts';
import type { Sample } from '../../restore/selection.ts';
import type { RestorePolicyDeclaration } from '../../strategy/schema.ts';
import type { AwsBackupRestorePort } from '../restore-aws-backup.ts';
import type { RestorePlan, RestoreTestInput, RunnerOutcome } from './shapes.ts';

/** Where a test restores to. Deterministic from the plan: Cleanup finds what Restore made, even after a crash. */
export interface SandboxProvider {
  /** The whole sandbox of one test (s3-archive restores into it; Cleanup empties it for every runner). */
  forTest(plan: RestorePlan): Sandbox;
  /** restic: the directory the restic runner creates its restore directory in (inside forTest's sandbox). */
  directoryFor(plan: RestorePlan): string;
}

/** s3-archive: opens the archive and manifest of one recovery point (adapters/aws/s3-archive-source.ts). */
export interface ArchiveOpeners {
  openers(
    location: NonNullable<RestorePolicyDeclaration['archive']>,
    ref: { tenantId: string; resourceId: string; recoveryPointId: string },
  ): {
    openArchive: () => Promise<AsyncIterable<Uint8Array>>;
    openManifest: () => Promise<AsyncIterable<Uint8Array>>;
  };
}

/** restic: adapters/host/restic-runner.ts restoreAndVerifyRestic (a child process; an ECS task in AWS). */
export interface ResticRestorer {
  restoreAndVerify(input: {
    repository: string;
    passwordSecret: string;
    secrets: SecretProvider;
    snapshotId: string;
    sample: Sample;
    seed: string;
    clock: Clock;
    sandboxParent: string;
    sandboxName: string;
    readDataSubset?: number;
    validators?: readonly string[];
  }): Promise<RunnerOutcome>;
}

/** Starts one restore-test execution; `name` is the test id, so a second start with it is refused. */
export interface RestoreTestStarter {
  start(input: RestoreTestInput, name: string): Promise<{ started: boolean }>;
}

export interface RestoreTestDeps {
  strategies: Pick<StrategyStore, 'getCurrent'>;
  facts: Pick<FactStore, 'getFacts' | 'listSeenResources'>;
  blobs: BlobStore;
  clock: Clock;
  audit: AuditDeps;
  restoreTests: RestoreTestStore;
  findings: FindingStore;
  sandboxes: SandboxProvider;
  archives: ArchiveOpeners;
  restic: ResticRestorer;
  awsBackup: AwsBackupRestorePort;
  /** The restic password provider of a tenant (by secret NAME; values never leave it except into restic's env). */
  secretsFor(tenantId: string): SecretProvider;
  /** Where a failed test is told (restore-test failed, finding opened, incident recurring); none: nobody. */
  notifications?: ReversaEventSink;
}
