/**
 * The platform on the embedded local cloud: attaches to `reversa local up` when it runs on this home,
 * else starts the local cloud in this process; workflows run in-process from their ASL files.
 */

import { userInfo } from 'node:os';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { localS3Client } from '#adapters/local/local-clients.ts';
import { ConfigError } from '#core/errors.ts';
import { compactUtc } from '#core/use-cases/verify.ts';
import { type LocalCloud, openLocalCloud } from '#local/cloud.ts';
import { runExport } from '#local/export-runner.ts';
import type { HomeLockOptions } from '#local/home-lock.ts';
import { pumpNotifications } from '#local/notifier.ts';
import { LocalRestoreTestStarter } from '#local/restore-runner.ts';
import { LocalVerifyStarter, runVerify } from '#local/verify-runner.ts';
import type { Platform, WorkflowRun } from '../platform.ts';
import { slaDepsOf } from '../sla.ts';
import { localAdapters } from './adapters.ts';
import { localUserDirectory } from './api.ts';
import { localDossierDeps } from './dossier.ts';
import { localNotificationAdmin, localNotifier } from './notify.ts';
import { localSecretStore } from './restore-test.ts';
import { localTenantWiring } from './tenants.ts';

function runOf(executionName: string, result: { status: string; error?: string; cause?: string }): WorkflowRun {
  const run: WorkflowRun = { status: result.status, executionName };
  if (result.error) run.error = result.error;
  if (result.cause) run.cause = result.cause;
  return run;
}

export interface LocalPlatformOptions {
  /** Told when delivering notifications at close fails (the command's own result stands). */
  onNotifyError?: (error: unknown) => void;
}

export function localPlatform(cloud: LocalCloud, options: LocalPlatformOptions = {}): Platform {
  // The provider's own view (every tenant) for commands; each workflow execution runs on its tenant's ports.
  const deps = localAdapters(cloud);
  const notifier = localNotifier(cloud, deps);
  const dossierDeps = localDossierDeps(cloud, { adapters: deps });
  const tenants = localTenantWiring(cloud, deps.clock);
  return {
    target: 'local',
    deps,
    now: () => deps.clock.now(),
    async runVerify(input) {
      // Named after the wall-clock time of the request, so two runs for the same --at stay distinct.
      const executionName = `verify-${input.tenantId}-${compactUtc(deps.clock.now())}`;
      const result = await runVerify(tenants.adapters.forTenant(input.tenantId), input, { executionName });
      if (result.status !== 'SUCCEEDED') {
        throw new ConfigError(
          'VerifyFailed',
          `verify workflow ${result.status}: ${result.error ?? ''} ${result.cause ?? ''}`.trim(),
        );
      }
      return runOf(executionName, result);
    },
    dossierDeps: () => dossierDeps,
    slaDeps: () => slaDepsOf(deps, dossierDeps.dossiers),
    async runExport(input) {
      const result = await runExport(tenants.dossiers.forTenant(input.tenantId), input);
      return runOf(result.executionName, result);
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
    restoreTestStarter: () => new LocalRestoreTestStarter(tenants.restoreTests),
    verifyStarter: (clock) =>
      new LocalVerifyStarter(clock ? localTenantWiring(cloud, clock).adapters : tenants.adapters),
    localSecrets: () => localSecretStore(cloud, deps),
    actor: async () => `local:${userInfo().username}`,
    users: async () => localUserDirectory(cloud),
    notifications: () => localNotificationAdmin(cloud, deps, notifier),
    describeBlob: (key) => `s3://${cloud.bucketName}/${key} (local cloud in ${cloud.home})`,
    describeDossier: (key) => `s3://${cloud.dossierBucketName}/${key}`,
    async close() {
      // The outbox is processed after each command: what the command emitted is delivered now.
      try {
        await pumpNotifications(notifier);
      } catch (error) {
        options.onNotifyError?.(error);
      } finally {
        await cloud.stop();
      }
    },
  };
}

/** `lock`: how to wait for another process using the same home (it says whom it waits for). */
export async function openLocalPlatform(
  options: { lock?: HomeLockOptions } & LocalPlatformOptions = {},
): Promise<Platform> {
  const cloud = await openLocalCloud({ persist: true, ...(options.lock ? { lock: options.lock } : {}) });
  return localPlatform(cloud, options.onNotifyError ? { onNotifyError: options.onNotifyError } : {});
}
