/**
 * Where a CLI command runs: the embedded local cloud (default) or a deployed stack (`--stack`).
 * Both give the same ports, so every command is written once.
 */

import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { type Adapters, composeLocal } from '#adapters/compose.ts';
import { localS3Client } from '#adapters/local/local-clients.ts';
import { LocalSecretStore } from '#adapters/local/local-secret-store.ts';
import { ConfigError } from '#core/errors.ts';
import type { ScheduleManager } from '#core/restore/schedule.ts';
import type { DossierDeps } from '#core/use-cases/dossier-deps.ts';
import type { ExportInput } from '#core/use-cases/dossier-export.ts';
import type { RestoreTestStarter } from '#core/use-cases/restore-test.ts';
import { compactUtc } from '#core/use-cases/verify.ts';
import { runVerify } from '#local/asl-runner.ts';
import { openLocalCloud } from '#local/cloud.ts';
import { localDossierDeps, runExport } from '#local/export-runner.ts';
import { LocalRestoreTestStarter, localRestoreTestDeps, localSecretProvider } from '#local/restore-runner.ts';

export interface VerifyRun {
  status: string;
  executionName: string;
  error?: string;
  cause?: string;
}

export interface ExportRun {
  status: string;
  executionName: string;
  error?: string;
  cause?: string;
}

export interface CliContext {
  target: 'local' | 'aws';
  deps: Adapters;
  now(): number;
  /** Runs the verify workflow to completion (the ASL file locally, Step Functions on AWS). */
  runVerify(input: { tenantId: string; at?: string }): Promise<VerifyRun>;
  /** Everything the reversibility export reads and writes (dossier store, buckets, secret source). */
  dossierDeps(): DossierDeps;
  /** Runs the reversibility-export workflow to completion. */
  runExport(input: ExportInput): Promise<ExportRun>;
  /** A presigned GET for an object of the dossier bucket. */
  presignDossier(key: string, expiresInSeconds: number): Promise<string>;
  /**
   * Where restore-test schedules live: EventBridge Scheduler for a deployed stack; locally none
   * (`reversa local up` arms croner jobs from the applied strategies itself).
   */
  scheduleManager(): Promise<ScheduleManager | undefined>;
  /** Starts restore-test executions (the local ASL runner, or Step Functions). */
  restoreTestStarter(): RestoreTestStarter;
  /** The local secret store (local cloud only): escrow and restic passwords come from it. */
  localSecrets(): LocalSecretStore;
  /** Where a blob can be found, for humans. */
  describeBlob(key: string): string;
  /** Where an object of the dossier bucket can be found, for humans. */
  describeDossier(key: string): string;
  close(): Promise<void>;
}

export async function openContext(options: {
  stack?: string | undefined;
  region?: string | undefined;
}): Promise<CliContext> {
  if (options.stack) {
    const { openAwsContext } = await import('./aws-context.ts');
    return openAwsContext(options.stack, options.region);
  }
  return openLocalContext();
}

async function openLocalContext(): Promise<CliContext> {
  const cloud = await openLocalCloud({ persist: true });
  const deps = composeLocal(cloud);
  const dossierDeps = localDossierDeps(cloud, { adapters: deps });
  return {
    target: 'local',
    deps,
    now: () => deps.clock.now(),
    async runVerify(input) {
      // Named after the wall-clock time of the request, so two runs for the same --at stay distinct.
      const executionName = `verify-${input.tenantId}-${compactUtc(deps.clock.now())}`;
      const result = await runVerify({ ...deps }, input, { executionName });
      const run: VerifyRun = { status: result.status, executionName };
      if (result.error) run.error = result.error;
      if (result.cause) run.cause = result.cause;
      if (result.status !== 'SUCCEEDED') {
        throw new ConfigError(
          'VerifyFailed',
          `verify workflow ${result.status}: ${result.error ?? ''} ${result.cause ?? ''}`.trim(),
        );
      }
      return run;
    },
    dossierDeps: () => dossierDeps,
    async runExport(input) {
      const result = await runExport(dossierDeps, input);
      const run: ExportRun = { status: result.status, executionName: result.executionName };
      if (result.error) run.error = result.error;
      if (result.cause) run.cause = result.cause;
      return run;
    },
    presignDossier: (key, expiresIn) =>
      getSignedUrl(
        localS3Client(cloud.endpoints),
        new GetObjectCommand({ Bucket: cloud.dossierBucketName, Key: key }),
        {
          expiresIn,
        },
      ),
    scheduleManager: async () => undefined,
    restoreTestStarter: () => {
      const secrets = new LocalSecretStore({ dir: join(cloud.home, 'secrets'), clock: deps.clock });
      return new LocalRestoreTestStarter(
        localRestoreTestDeps(deps, {
          s3: localS3Client(cloud.endpoints),
          sandboxDir: join(cloud.home, 'sandboxes'),
          secretsFor: (tenantId) => localSecretProvider(secrets, tenantId),
        }),
      );
    },
    localSecrets: () => new LocalSecretStore({ dir: join(cloud.home, 'secrets'), clock: deps.clock }),
    describeBlob: (key) => `s3://${cloud.bucketName}/${key} (local cloud in ${cloud.home})`,
    describeDossier: (key) => `s3://${cloud.dossierBucketName}/${key}`,
    close: () => cloud.stop(),
  };
}
