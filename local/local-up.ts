/**
 * `reversa local up`: the local cloud as a long-running service, with what EventBridge Scheduler
 * and S3 notifications do when deployed — the missed-backup sweep every 5 minutes, the restore-test
 * schedules of every tenant's policies, inbox polling and notification delivery every minute, hourly
 * audit-log sealing.
 * Other CLI processes attach to it (local/cloud.ts attachLocalCloud), so links stay valid.
 */

import { sealDigest } from '#core/audit/digest.ts';
import { schedulesFor } from '#core/restore/schedule.ts';
import { parseStrategy } from '#core/strategy/parse.ts';
import { inboxPrefix, ingestS3Object } from '#core/use-cases/ingest-report.ts';
import { dispatchScheduledTests } from '#core/use-cases/restore-test.ts';
import { sweep } from '#core/use-cases/sweep.ts';
import { localAdapters } from '#wiring/local/adapters.ts';
import { localNotifier } from '#wiring/local/notify.ts';
import { localTenantWiring } from '#wiring/local/tenants.ts';
import { type LocalCloud, startLocalCloud } from './cloud.ts';
import { pumpNotifications } from './notifier.ts';
import { LocalRestoreTestStarter } from './restore-runner.ts';
import { type LocalScheduler, startLocalScheduler } from './scheduler.ts';
import { LocalVerifyStarter } from './verify-runner.ts';

export interface LocalUpOptions {
  home?: string;
  ports?: { dynamodb?: number; s3?: number };
  log: (line: string) => void;
}

export interface LocalUp {
  cloud: LocalCloud;
  /** Names of the restore-test schedules currently armed. */
  schedules(): string[];
  stop(): Promise<void>;
}

export async function localUp(options: LocalUpOptions): Promise<LocalUp> {
  const cloud = await startLocalCloud({
    ...(options.home ? { home: options.home } : {}),
    ...(options.ports ? { ports: options.ports } : {}),
    persist: true,
    announce: true,
  });
  const deps = localAdapters(cloud);
  const log = options.log;
  const tenants = localTenantWiring(cloud, deps.clock);
  const restoreStarter = new LocalRestoreTestStarter(tenants.restoreTests);
  const notifier = localNotifier(cloud, deps);
  const onError = (what: string) => (error: unknown) => log(`${what} failed: ${(error as Error).message}`);

  // Restore-test schedules follow the applied strategies: re-armed whenever their set changes.
  const armed = new Map<string, LocalScheduler>();
  async function armRestoreSchedules(): Promise<void> {
    const wanted = new Map<string, { expression: string; timezone: string; tenantId: string; policyName: string }>();
    for (const tenantId of await deps.strategies.listTenants()) {
      const stored = await deps.strategies.getCurrent(tenantId);
      if (!stored) continue;
      for (const s of schedulesFor(parseStrategy(stored.source, stored.fileName).document, tenantId)) {
        wanted.set(`${s.name} ${s.expression} ${s.timezone}`, {
          ...s.input,
          expression: s.expression,
          timezone: s.timezone,
        });
      }
    }
    for (const [key, job] of armed) {
      if (!wanted.has(key)) {
        job.stop();
        armed.delete(key);
      }
    }
    for (const [key, s] of wanted) {
      if (armed.has(key)) continue;
      armed.set(
        key,
        startLocalScheduler({
          expression: s.expression,
          timezone: s.timezone,
          onError: onError(`restore tests ${s.tenantId}/${s.policyName}`),
          run: async (at) => {
            const started = await dispatchScheduledTests(
              { ...tenants.adapters.forTenant(s.tenantId), starter: restoreStarter },
              { tenantId: s.tenantId, policyName: s.policyName, scheduledAt: at.toISOString() },
            );
            log(`restore tests ${s.tenantId}/${s.policyName}: ${started.filter((t) => t.started).length} run`);
          },
        }),
      );
      log(`armed restore-test schedule ${s.tenantId}/${s.policyName}: ${s.expression} (${s.timezone})`);
    }
  }

  const verifyStarter = new LocalVerifyStarter(tenants.adapters);
  const jobs: LocalScheduler[] = [
    startLocalScheduler({
      expression: 'rate(5 minutes)',
      onError: onError('sweep'),
      run: async () => {
        const result = await sweep({
          strategies: deps.strategies,
          tenants: deps.tenants,
          starter: verifyStarter,
          clock: deps.clock,
        });
        for (const s of result.started) log(`sweep: verified ${s.tenantId} (${s.reason})`);
        await armRestoreSchedules();
      },
    }),
    startLocalScheduler({
      expression: 'rate(1 minute)',
      onError: onError('inbox'),
      run: async () => {
        for (const tenantId of await deps.strategies.listTenants()) {
          for (const key of await deps.blobs.list(inboxPrefix(tenantId))) {
            const r = await ingestS3Object(tenants.adapters.forTenant(tenantId), key);
            log(`inbox ${key}: ${r.status}`);
          }
        }
      },
    }),
    startLocalScheduler({
      // What the EventBridge rule, the queue and the deliver Lambda do deployed: new bus events, due retries.
      expression: 'rate(1 minute)',
      onError: onError('notifications'),
      run: async () => {
        const { attempts } = await pumpNotifications(notifier);
        for (const a of attempts)
          log(`notify ${a.tenantId}/${a.subscriptionId} ${a.eventType}: ${a.outcome} (attempt ${a.attempt})`);
      },
    }),
    startLocalScheduler({
      expression: 'rate(1 hour)',
      onError: onError('audit seal'),
      run: async () => {
        for (const tenantId of await deps.strategies.listTenants())
          await sealDigest(tenants.adapters.forTenant(tenantId).audit, tenantId, deps.clock.now());
      },
    }),
  ];
  await armRestoreSchedules();
  return {
    cloud,
    schedules: () => [...armed.keys()].map((k) => k.split(' ')[0] ?? k),
    async stop() {
      for (const j of [...jobs, ...armed.values()]) j.stop();
      await cloud.stop();
    },
  };
}
