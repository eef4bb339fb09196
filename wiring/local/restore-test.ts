/**
 * The restore-test workflow's ports on the local cloud: sandboxes are directories (one per test, at
 * a deterministic path, so Cleanup finds what a crashed Restore left), archives are read from the
 * local S3, restic runs as a child process, restic passwords come from the local secret store.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { S3ArchiveSource } from '#adapters/aws/s3-archive-source.ts';
import { FsSandbox } from '#adapters/host/fs-sandbox.ts';
import { restoreAndVerifyRestic } from '#adapters/host/restic-runner.ts';
import { localS3Client } from '#adapters/local/local-clients.ts';
import { LocalSecretStore } from '#adapters/local/local-secret-store.ts';
import type { SecretProvider } from '#core/restore/restic.ts';
import { type AwsBackupRestorePort, awsBackupNotImplemented } from '#core/use-cases/restore-aws-backup.ts';
import type { RestorePlan, RestoreTestDeps } from '#core/use-cases/restore-test.ts';
import type { LocalCloud } from '#local/cloud.ts';
import type { Adapters } from '../adapters.ts';
import type { LocalAdapters } from './adapters.ts';

/** Sandboxes under `base` (default: <tmp>/reversa-sandboxes); a restic policy's sandbox.directory wins. */
export function localSandboxes(base: string = join(tmpdir(), 'reversa-sandboxes')): RestoreTestDeps['sandboxes'] {
  const rootOf = (plan: RestorePlan) => join(plan.sandbox.directory ?? base, plan.testId);
  return {
    forTest: (plan) => FsSandbox.at(rootOf(plan)),
    directoryFor: (plan) => rootOf(plan),
  };
}

/** restic passwords from the local secret store (`<tenant>/<name>`); the value goes only to restic's env. */
export function localSecretProvider(store: LocalSecretStore, tenantId: string): SecretProvider {
  return {
    async getSecret(name: string): Promise<string> {
      const value = await store.read({ name, locator: `${tenantId}/${name}` });
      try {
        return value.use((bytes) => Buffer.from(bytes).toString('utf8'));
      } finally {
        value.wipe();
      }
    },
  };
}

export interface LocalRestoreOptions {
  /** S3 client of the local cloud (archives are read from it). */
  s3: S3Client;
  /** Sandbox base directory. */
  sandboxDir?: string;
  secretsFor: (tenantId: string) => SecretProvider;
  /** aws-backup runner; default: the NotImplemented port (tests records ERROR). */
  awsBackup?: AwsBackupRestorePort;
  /** restic cache directory (tests keep it inside their temp dir). */
  resticCacheDir?: string;
}

/** The restore-test deps on given adapters and options (tests substitute ports here). */
export function localRestoreTestDeps(
  adapters: Pick<Adapters, 'strategies' | 'facts' | 'blobs' | 'clock' | 'audit' | 'restoreTests' | 'findings'> &
    Partial<Pick<Adapters, 'notifications'>>,
  options: LocalRestoreOptions,
): RestoreTestDeps {
  const source = new S3ArchiveSource(options.s3);
  return {
    ...(adapters.notifications ? { notifications: adapters.notifications } : {}),
    strategies: adapters.strategies,
    facts: adapters.facts,
    blobs: adapters.blobs,
    clock: adapters.clock,
    audit: adapters.audit,
    restoreTests: adapters.restoreTests,
    findings: adapters.findings,
    sandboxes: localSandboxes(options.sandboxDir),
    archives: {
      openers: ({ bucket, key, manifestKey }, ref) =>
        source.openers({ bucket, key, ...(manifestKey === undefined ? {} : { manifestKey }) }, ref),
    },
    restic: {
      restoreAndVerify: (input) =>
        restoreAndVerifyRestic({
          ...input,
          ...(options.resticCacheDir === undefined ? {} : { cacheDir: options.resticCacheDir }),
        }),
    },
    awsBackup: options.awsBackup ?? awsBackupNotImplemented,
    secretsFor: options.secretsFor,
  };
}

/** The local cloud's secret store (escrow and restic passwords), encrypted at rest under its home. */
export function localSecretStore(cloud: Pick<LocalCloud, 'home'>, adapters: Pick<Adapters, 'clock'>): LocalSecretStore {
  return new LocalSecretStore({ dir: join(cloud.home, 'secrets'), clock: adapters.clock });
}

/** What `reversa local up`, the CLI and the demo run restore tests with: sandboxes and secrets under the home. */
export function localCloudRestoreTestDeps(cloud: LocalCloud, adapters: LocalAdapters): RestoreTestDeps {
  const secrets = localSecretStore(cloud, adapters);
  return localRestoreTestDeps(adapters, {
    // Archives are the provider's (its archive buckets, the data bucket's archives/), outside the tenant
    // boundary as in AWS, where the function's own role reads them: an unbound client.
    s3: localS3Client(cloud.endpoints),
    sandboxDir: join(cloud.home, 'sandboxes'),
    secretsFor: (tenantId) => localSecretProvider(secrets, tenantId),
  });
}
