/**
 * `npm run bench -- cost`: what one tenant of 1,000 resources costs a month on AWS (eu-west-3 list prices,
 * bench/aws-prices-eu-west-3.ts). Each workflow runs once on the local cloud with the real use cases behind every
 * Task, metered at the wire (bench/cost-meter.ts: DynamoDB request units by item size, S3 requests by tier and
 * bytes) and where it calls the other services (Lambda invocations and their measured duration × the memory infra/
 * configures for that function, state transitions from the local execution, KMS signatures, EventBridge events);
 * the month multiplies each run by how often it happens:
 *
 *   ingest    every AWS Backup event (1 backup a resource a day: job, recovery point, copy = 3 events)
 *   sweep     288 a day; each reads every tenant's state (the invocation itself is the deployment's, shared)
 *   verify    the runs the sweep starts: one per 5-minute slot in which new facts arrived (dueReason, simulated over
 *             the month with the backups' events spread over a 4-hour nightly window)
 *   restore   restore tests a month (s3-archive, the Lambda runner), one per resource a year
 *   export    one reversibility dossier a month
 *
 * Not counted: the provider's own AWS Backup, restore and source-bucket charges, data transfer, the restic Fargate
 * runner, hourly reconciliation (its AWS Backup List calls are free; 720 short invocations a month), and CloudWatch
 * beyond the estimated log lines below.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jobItem, pointItem } from '#adapters/aws/dynamo-fact-store.ts';
import { batchPutAll, documentClient } from '#adapters/aws/dynamo-support.ts';
import { localDynamoClient, localS3Client } from '#adapters/local/local-clients.ts';
import type { Signer } from '#core/audit/ports.ts';
import type { EventPublisher } from '#core/ports.ts';
import { requestExport } from '#core/use-cases/dossier-export.ts';
import { ingestBackupEvent } from '#core/use-cases/ingest-backup-event.ts';
import { DEFAULT_NEW_FACTS_EVERY_MS, DEFAULT_STALE_AFTER_MS, dueReason, sweep } from '#core/use-cases/sweep.ts';
import type { ExecutionResult, LocalLambda } from '#local/asl-runner.ts';
import { startLocalCloud } from '#local/cloud.ts';
import { demoAwsBackupEvents } from '#local/demo/aws-backup-events.ts';
import { exportLambdas, runExport } from '#local/export-runner.ts';
import { restoreTestLambdas, runRestoreTest } from '#local/restore-runner.ts';
import { runVerify, verifyLambdas } from '#local/verify-runner.ts';
import { localAdapters } from '#wiring/local/adapters.ts';
import { localDossierDeps } from '#wiring/local/dossier.ts';
import { localRestoreTestDeps } from '#wiring/local/restore-test.ts';
import { buildTestApp } from '../test/infra/build-app.ts';
import { makeArchive, pointFacts, restoreStrategy, upload } from '../test/support/restore-fixtures.ts';
import {
  applyStrategy,
  DAY,
  dailyFacts,
  HOUR,
  mergeFacts,
  settableClock,
  strategyYaml,
} from '../test/support/verify-fixtures.ts';
import { PRICES, PRICES_DATE, type Price, unitsOf } from './aws-prices-eu-west-3.ts';
import { emptyMeter, type Meter, meteringProxy } from './cost-meter.ts';
import type { BenchResult } from './types.ts';

const RESOURCES = 1_000;
const FACT_DAYS = 35;
const EVENTS_PER_RESOURCE_DAY = 3;
const SWEEPS_PER_MONTH = 288 * 30;
const BACKUP_WINDOW_HOURS = 4;
const RESTORE_TESTS_PER_MONTH = Math.round(RESOURCES / 12);
const EXPORTS_PER_MONTH = 1;
const INGEST_SAMPLE = 300;
const TARGET_USD = 1;
/** Powertools idempotency on each event: a conditional put (in progress) and an update (completed). */
const IDEMPOTENCY_WRITES_PER_EVENT = 2;
/** Estimates, not measured: Step Functions logs at level ALL (~3 history events a transition), Lambda log lines. */
const LOG_BYTES_PER_TRANSITION = 3 * 400;
const LOG_BYTES_PER_INVOCATION = 1_200;
/** AWS round trips from a Lambda in the same region, added to the measured in-process durations. */
const DYNAMO_LATENCY_MS = 5;
const S3_LATENCY_MS = 20;
const AT = Date.parse('2026-04-01T12:00:00Z');

/** What one run of a workflow used. */
interface Usage {
  meter: Meter;
  invocations: { fn: string; ms: number; memoryMb: number }[];
  transitions: number;
  kmsCalls: number;
  events: number;
}

const emptyUsage = (): Usage => ({ meter: emptyMeter(), invocations: [], transitions: 0, kmsCalls: 0, events: 0 });

/** The memory infra/ gives each function, keyed by the workflow placeholder (or function id) that names it. */
function configuredMemory(): Map<string, number> {
  const { assembly } = buildTestApp();
  const template = assembly.getStackByName('ReversaWorkflows').template as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const memory = new Map<string, number>();
  const of = (logicalId: string) => Number(template.Resources[logicalId]?.Properties.MemorySize ?? 128);
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type === 'AWS::Lambda::Function') memory.set(id.replace(/[0-9A-F]{8}$/, ''), of(id));
    if (r.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const workflow = String(r.Properties.StateMachineName).replace(/^ReversaWorkflows-/, '');
    for (const [placeholder, value] of Object.entries(
      r.Properties.DefinitionSubstitutions as Record<string, unknown>,
    )) {
      const target = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0];
      if (target !== undefined && template.Resources[target]?.Type === 'AWS::Lambda::Function') {
        memory.set(`${workflow}:${placeholder}`, of(target));
      }
    }
  }
  return memory;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await fn();
  return [value, performance.now() - started];
}

/**
 * One invocation at a time: the local runner runs a Map's iterations concurrently in this one process, where each
 * would be its own Lambda in AWS; timed one by one, a duration is the handler's own.
 */
let lambdaQueue: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(fn: () => Promise<T>): Promise<T> {
  const run = lambdaQueue.then(fn, fn);
  lambdaQueue = run.catch(() => undefined);
  return run;
}

/** Every Lambda of a workflow wrapped to record its invocation, duration and configured memory. */
function metered(
  usage: () => Usage,
  workflow: string,
  lambdas: Record<string, LocalLambda>,
  memory: Map<string, number>,
): Record<string, LocalLambda> {
  return Object.fromEntries(
    Object.entries(lambdas).map(([placeholder, fn]) => [
      placeholder,
      async (payload: unknown) => {
        const [out, ms] = await oneAtATime(() => timed(() => fn(payload)));
        usage().invocations.push({
          fn: `${workflow}:${placeholder}`,
          ms,
          memoryMb: memory.get(`${workflow}:${placeholder}`) ?? 1024,
        });
        return out;
      },
    ]),
  );
}

const transitionsOf = (run: ExecutionResult) =>
  run.stateOutputs.length + Object.values(run.retries).reduce((s, n) => s + n, 0);

/**
 * Verifications a month: the sweep's own rule (dueReason, with its default policy: new facts start a verification
 * at most hourly) over 288 slots a day, new facts in each backup-window slot. `newFactsEveryMs` 0 verifies them in
 * every slot, as the sweep did before the coalescing.
 */
function verificationsPerMonth(newFactsEveryMs = DEFAULT_NEW_FACTS_EVERY_MS): number {
  const slot = 5 * 60_000;
  let state: { lastVerifiedAt?: number; dirtySince?: number } = {};
  let runs = 0;
  const start = Date.parse('2026-04-01T00:00:00Z');
  for (let t = start; t < start + 30 * DAY; t += slot) {
    const hour = new Date(t).getUTCHours();
    // Events of the slot before this sweep (nightly backups 01:00–05:00 UTC) mark the tenant dirty.
    if (hour >= 1 && hour < 1 + BACKUP_WINDOW_HOURS) state.dirtySince ??= t - slot;
    if (dueReason(state as never, t, { staleAfterMs: DEFAULT_STALE_AFTER_MS, newFactsEveryMs }) !== undefined) {
      runs++;
      state = { lastVerifiedAt: t };
    }
  }
  return runs;
}

export async function benchCost(): Promise<BenchResult> {
  const started = performance.now();
  const memory = configuredMemory();
  const home = await mkdtemp(join(tmpdir(), 'reversa-bench-cost-'));
  const cloud = await startLocalCloud({ home, persist: false, exportEnv: false });
  let current = emptyUsage();
  const usage = () => current;
  const ddb = await meteringProxy(cloud.endpoints.dynamodb, 'dynamodb', () => current.meter);
  const s3 = await meteringProxy(cloud.endpoints.s3, 's3', () => current.meter);
  const viaMeter = { ...cloud, endpoints: { dynamodb: ddb.url, s3: s3.url } };
  try {
    const clock = settableClock(AT);
    const base = localAdapters(viaMeter, clock);
    const countSigns = (signer: Signer): Signer =>
      new Proxy(signer, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver);
          if (key !== 'sign' || typeof value !== 'function')
            return typeof value === 'function' ? value.bind(target) : value;
          return (...args: unknown[]) => {
            current.kmsCalls++;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    const events: EventPublisher = {
      publish: async (...args) => {
        current.events++;
        return base.events.publish(...args);
      },
    };
    const adapters = {
      ...base,
      events,
      audit: { ...base.audit, signer: countSigns(base.audit.signer as Signer) },
      dossierSigner: countSigns(base.dossierSigner),
    };
    const measure = async (fn: () => Promise<void>): Promise<Usage> => {
      current = emptyUsage();
      await fn();
      const used = current;
      current = emptyUsage();
      return used;
    };

    // ---- ingest: AWS Backup events (real shapes) of the acme example, one Lambda invocation each.
    const acme = await readFile(new URL('../examples/acme.strategy.yaml', import.meta.url), 'utf8');
    await applyStrategy(adapters.strategies, acme, AT - 60 * DAY, 'acme.strategy.yaml');
    const sample = demoAwsBackupEvents(AT).slice(0, INGEST_SAMPLE);
    const ingest = await measure(async () => {
      for (const event of sample) {
        const [, ms] = await timed(() => ingestBackupEvent(adapters, event as never));
        current.invocations.push({ fn: 'backup-event', ms, memoryMb: memory.get('BackupEventFunction') ?? 1024 });
      }
    });
    ingest.meter.dynamo.writeUnits += IDEMPOTENCY_WRITES_PER_EVENT * sample.length;

    // ---- verify: 1,000 resources with 35 days of daily jobs and points (seeded straight into dynalite, unmetered).
    const tenant = 'bench-cost';
    const locators = Array.from({ length: RESOURCES }, (_, i) => `server-${String(i).padStart(4, '0')}`);
    await applyStrategy(
      adapters.strategies,
      strategyYaml(tenant, locators, { lookback: `${FACT_DAYS}d` }),
      AT - 100 * DAY,
    );
    const direct = documentClient(localDynamoClient(cloud.endpoints));
    for (let i = 0; i < locators.length; i += 100) {
      const facts = mergeFacts(locators.slice(i, i + 100).map((l) => dailyFacts(tenant, l, FACT_DAYS, AT - 2 * HOUR)));
      await batchPutAll(direct, cloud.tableName, [
        ...facts.jobs.map((j) => jobItem(j).item),
        ...facts.recoveryPoints.map((p) => pointItem(p).item),
      ]);
      await base.facts.putFacts({ jobs: [], recoveryPoints: [], resources: facts.resources });
    }
    const input = { tenantId: tenant, at: new Date(AT).toISOString(), reason: 'bench' };
    await runVerify(adapters, input, { executionName: 'cost-warmup', zeroWaits: true });
    const verify = await measure(async () => {
      const run = await runVerify(adapters, input, {
        executionName: 'cost-verify',
        zeroWaits: true,
        lambdas: metered(usage, 'verify-backups', verifyLambdas(adapters), memory),
      });
      if (run.status !== 'SUCCEEDED') throw new Error(`verify run ${run.status}: ${run.error} ${run.cause}`);
      current.transitions += transitionsOf(run);
    });

    // ---- sweep: one sweep over the tenants (what each sweep reads per tenant is what the tenant costs).
    const tenantsSwept = (await adapters.strategies.listTenants()).length;
    const sweepOnce = await measure(async () => {
      const [, ms] = await timed(() =>
        sweep({ ...adapters, starter: { start: async () => ({ started: true }) } as never }),
      );
      current.invocations.push({ fn: 'sweep', ms, memoryMb: memory.get('SweepFunction') ?? 512 });
    });

    // ---- restore: one s3-archive test of a small archive, read back in full against its manifest.
    const work = await mkdtemp(join(tmpdir(), 'reversa-bench-cost-restore-'));
    const rtTenant = 'bench-restore';
    const rawS3 = localS3Client(cloud.endpoints);
    const archive = makeArchive(work, {
      'index.html': '<h1>hello</h1>\n',
      'docs/readme.txt': 'read me\n'.repeat(500),
      'data/orders.csv': 'id,total\n'.repeat(2_000),
    });
    await upload(rawS3, 'archives/rp-1.tar.gz', archive.archive);
    await upload(rawS3, 'archives/rp-1.tar.gz.sha256', archive.manifest);
    await applyStrategy(
      adapters.strategies,
      restoreStrategy(
        rtTenant,
        [{ locator: 'files:web', source: 'generic' }],
        [
          {
            name: 'archives',
            lines: [
              'source: generic',
              'runner: s3-archive',
              'schedule: { every: 7d }',
              'recoveryPoint: { select: latest, window: 30d }',
              'maxRto: 1h',
              'coverage: 365d',
              `archive: { bucket: ${cloud.bucketName}, key: "archives/{recoveryPointId}.tar.gz" }`,
            ],
          },
        ],
      ),
      AT - 30 * DAY,
    );
    await base.facts.putFacts(pointFacts(rtTenant, 'generic', 'files:web', [{ id: 'rp-1', createdAt: AT - 2 * HOUR }]));
    const restoreDeps = localRestoreTestDeps(adapters, {
      s3: localS3Client(viaMeter.endpoints),
      sandboxDir: join(work, 'sandboxes'),
      secretsFor: () => ({ getSecret: async () => '' }),
    });
    const restore = await measure(async () => {
      const run = await runRestoreTest(
        restoreDeps,
        {
          tenantId: rtTenant,
          resourceId: 'files:web',
          policyName: 'archives',
          scheduledAt: new Date(AT).toISOString(),
          reason: 'bench',
        },
        { zeroWaits: true, lambdas: metered(usage, 'restore-test', restoreTestLambdas(restoreDeps), memory) },
      );
      if (run.status !== 'SUCCEEDED') throw new Error(`restore run ${run.status}: ${run.error} ${run.cause}`);
      current.transitions += transitionsOf(run);
    });

    // ---- export: the acme dossier with an age successor recipient, the 1,000-resource tenant's size aside.
    const identity = join(work, 'successor.txt');
    execFileSync('age-keygen', ['-o', identity], { stdio: 'ignore' });
    const recipient = execFileSync('age-keygen', ['-y', identity], { encoding: 'utf8' }).trim();
    const exportTenant = 'bench-export';
    await applyStrategy(
      adapters.strategies,
      acme
        .replace('id: acme', `id: ${exportTenant}`)
        .replace(
          /^reversibility:[\s\S]*$/m,
          [
            'reversibility:',
            '  successorRecipients:',
            `    - ${recipient}`,
            '  contacts:',
            '    - { name: Service desk, role: service manager, email: desk@provider.example }',
            '  checklist:',
            '    restoreEvidence: { waived: { reason: "the bench tenant has no restore tests of its own" } }',
            '    credentials: { waived: { reason: "the bench tenant escrows no secret" } }',
            '',
          ].join('\n'),
        ),
      AT - 30 * DAY,
    );
    await base.facts.putFacts(dailyFacts(exportTenant, 'nas://filer-01/projects', 30, AT - 2 * HOUR));
    const dossierDeps = { ...localDossierDeps(viaMeter, { adapters, secretsDir: join(work, 'secrets') }), ...adapters };
    for (const [key, body] of Object.entries({
      [`inventory/${exportTenant}/assets.csv`]: 'id,type,name\r\nnas-01,nas,Projects filer\r\n',
      [`config/${exportTenant}/firewall.json`]: '{"rules":[{"allow":"443/tcp"}]}\n',
      [`config/${exportTenant}/security/waf.json`]: '{"waf":"on"}\n',
      [`config/${exportTenant}/access-rights/iam.csv`]: 'user,role\nalice,admin\n',
      [`config/${exportTenant}/access-logs/2026-03.log`]: '2026-03-01T00:00:00Z alice login\n',
      [`procedures/${exportTenant}/restore-nas.md`]: '# Restore the NAS\n',
    })) {
      await dossierDeps.objects.put(key, body);
    }
    const exported = await measure(async () => {
      const request = await requestExport(dossierDeps, { tenantId: exportTenant, requestedBy: 'bench', now: AT });
      const run = await runExport(dossierDeps, request.input, {
        zeroWaits: true,
        lambdas: metered(usage, 'reversibility-export', exportLambdas(dossierDeps), memory),
      });
      if (run.status !== 'SUCCEEDED') throw new Error(`export run ${run.status}: ${run.error} ${run.cause}`);
      current.transitions += transitionsOf(run);
    });
    await rm(work, { recursive: true, force: true });

    // ---- the month
    const eventsPerMonth = RESOURCES * EVENTS_PER_RESOURCE_DAY * 30;
    const verifications = verificationsPerMonth();
    const sweepPerTenant: Usage = {
      ...emptyUsage(),
      meter: {
        ...emptyMeter(),
        dynamo: {
          requests: {},
          readUnits: sweepOnce.meter.dynamo.readUnits / Math.max(1, tenantsSwept),
          writeUnits: 0,
        },
      },
    };
    const workloads: { name: string; run: Usage; times: number }[] = [
      {
        name: `ingest (${eventsPerMonth.toLocaleString('en')} events)`,
        run: ingest,
        times: eventsPerMonth / sample.length,
      },
      {
        name: `sweep reads (${SWEEPS_PER_MONTH.toLocaleString('en')} sweeps)`,
        run: sweepPerTenant,
        times: SWEEPS_PER_MONTH,
      },
      { name: `verify (${verifications.toLocaleString('en')} runs)`, run: verify, times: verifications },
      { name: `restore tests (${RESTORE_TESTS_PER_MONTH})`, run: restore, times: RESTORE_TESTS_PER_MONTH },
      { name: `dossier export (${EXPORTS_PER_MONTH})`, run: exported, times: EXPORTS_PER_MONTH },
    ];
    const cost = (price: Price, quantity: number) => (quantity / unitsOf(price)) * price.usd;
    const lines = new Map<string, number>();
    const add = (line: string, usd: number) => lines.set(line, (lines.get(line) ?? 0) + usd);
    const table: string[] = [];
    for (const { name, run, times } of workloads) {
      // The local cloud answers in-process in well under a millisecond; AWS takes a few: each request's allowance is
      // added to the run's Lambda time at the run's average memory.
      const requests = Object.values(run.meter.dynamo.requests).reduce((a, b) => a + b, 0);
      const allowanceMs = requests * DYNAMO_LATENCY_MS + (run.meter.s3.tier1 + run.meter.s3.tier2) * S3_LATENCY_MS;
      const memoryMb = run.invocations.reduce((a, i) => a + i.memoryMb, 0) / Math.max(1, run.invocations.length);
      const gbSeconds =
        run.invocations.reduce((a, i) => a + (Math.max(1, Math.ceil(i.ms)) / 1_000) * (i.memoryMb / 1_024), 0) +
        (run.invocations.length === 0 ? 0 : (allowanceMs / 1_000) * (memoryMb / 1_024));
      const parts: [string, number][] = [
        ['Lambda requests', cost(PRICES.lambdaRequests, run.invocations.length * times)],
        ['Lambda duration', cost(PRICES.lambdaArmGbSecond, gbSeconds * times)],
        ['Step Functions transitions', cost(PRICES.stepFunctionsTransitions, run.transitions * times)],
        ['DynamoDB writes', cost(PRICES.dynamoWriteRequestUnits, run.meter.dynamo.writeUnits * times)],
        ['DynamoDB reads', cost(PRICES.dynamoReadRequestUnits, run.meter.dynamo.readUnits * times)],
        ['S3 PUT/LIST', cost(PRICES.s3Tier1Requests, run.meter.s3.tier1 * times)],
        ['S3 GET/HEAD', cost(PRICES.s3Tier2Requests, run.meter.s3.tier2 * times)],
        ['S3 storage (bytes written, a month)', cost(PRICES.s3Storage, (run.meter.s3.bytesIn * times) / 1e9)],
        ['KMS Sign', cost(PRICES.kmsAsymmetricRequests, run.kmsCalls * times)],
        ['EventBridge events', cost(PRICES.eventBridgeCustomEvents, run.events * times)],
        [
          'CloudWatch Logs (estimate)',
          cost(
            PRICES.cloudWatchLogsIngestion,
            ((run.transitions * LOG_BYTES_PER_TRANSITION + run.invocations.length * LOG_BYTES_PER_INVOCATION) * times) /
              1e9,
          ),
        ],
      ];
      const total = parts.reduce((s, [, usd]) => s + usd, 0);
      for (const [line, usd] of parts) add(`${line}`, usd);
      const perRun = `${run.invocations.length} λ (${Math.round(gbSeconds * 1000) / 1000} GB-s), ${run.transitions} transitions, ${Math.round(run.meter.dynamo.readUnits)} RRU / ${Math.round(run.meter.dynamo.writeUnits)} WRU, S3 ${run.meter.s3.tier1}+${run.meter.s3.tier2} req ${Math.round(run.meter.s3.bytesIn / 1024)} KiB in, ${run.kmsCalls} KMS, ${run.events} events`;
      table.push(`${name.padEnd(32)} $${total.toFixed(4).padStart(8)}   per run: ${perRun}`);
    }
    const perTenant = [...lines.values()].reduce((s, v) => s + v, 0);
    const [largest, largestUsd] = [...lines.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['-', 0];
    const jobsPerMonth = RESOURCES * 30;
    const fixed =
      2 * PRICES.kmsKeyMonth.usd +
      cost(PRICES.lambdaRequests, SWEEPS_PER_MONTH) +
      cost(PRICES.lambdaArmGbSecond, SWEEPS_PER_MONTH * 0.1 * 0.5) +
      cost(PRICES.schedulerInvocations, SWEEPS_PER_MONTH + 720);
    // The same month verifying new facts in every 5-minute slot, as the sweep did before it coalesced them.
    const everySlot = verificationsPerMonth(0);
    const verifyLine = table.find((l) => l.startsWith('verify')) ?? '';
    const verifyUsd = Number(/\$\s*([\d.]+)/.exec(verifyLine)?.[1] ?? 0);
    const uncoalesced = perTenant - verifyUsd + (verifyUsd * everySlot) / verifications;
    const seconds = (performance.now() - started) / 1_000;
    return {
      name: `cost: one tenant of ${RESOURCES.toLocaleString('en')} resources, a month on AWS eu-west-3 (list prices of ${PRICES_DATE})`,
      ok: perTenant <= TARGET_USD,
      lines: [
        ...table,
        ...[...lines.entries()]
          .sort((a, b) => b[1] - a[1])
          .map(([line, usd]) => `  ${line.padEnd(38)} $${usd.toFixed(4).padStart(8)}`),
        `per tenant-month:                $${perTenant.toFixed(2)} (target ≤ $${TARGET_USD}); largest line: ${largest} ($${largestUsd.toFixed(2)})`,
        `per 1,000 verified jobs:         $${((perTenant / jobsPerMonth) * 1_000).toFixed(4)} (${jobsPerMonth.toLocaleString('en')} jobs a month, each verified ~${Math.round(verifications / 30)}× a day)`,
        `for comparison, new facts verified in every 5-minute slot (${everySlot} runs): $${uncoalesced.toFixed(2)} per tenant-month`,
        `per deployment, whatever the tenants: $${fixed.toFixed(2)} a month (2 KMS signing keys, the 5-minute sweep and hourly reconcile schedules and invocations)`,
        `bench runtime: ${seconds.toFixed(1)} s; prices: bench/aws-prices-eu-west-3.ts (only Step Functions re-checked on ${PRICES_DATE})`,
      ],
    };
  } finally {
    await ddb.close();
    await s3.close();
    await cloud.stop();
    await rm(home, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchCost();
  console.log(`${result.name} ${result.ok ? '(target met)' : '(TARGET MISSED)'}`);
  for (const line of result.lines) console.log(`  ${line}`);
  process.exitCode = result.ok ? 0 : 1;
}
