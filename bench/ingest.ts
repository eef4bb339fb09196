/**
 * Ingest benchmark: 100,000 finished generic job records written through FactStore.putFacts into
 * the local DynamoDB (dynalite), against the named baseline "raw BatchWriteItem": the same number
 * of equivalent items (same attributes, built outside the timed section) written with plain
 * BatchWrite calls, 25 per call, the same number of calls in flight. Target: putFacts reaches at
 * least 0.8× the raw rate, i.e. the store's idempotency/ordering logic costs < 20 % over the
 * cheapest possible write path.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoFactStore, jobItem } from '#adapters/aws/dynamo-fact-store.ts';
import { chunk, documentClient, type Item, mapLimit } from '#adapters/aws/dynamo-support.ts';
import { localDynamoClient } from '#adapters/local/local-clients.ts';
import type { BackupJob } from '#core/model.ts';
import { startLocalCloud } from '#local/cloud.ts';
import type { BenchResult } from './types.ts';

const RECORDS = 100_000;
/** Interleaved rounds, alternating which path goes first, so machine noise hits both paths alike. */
const ROUNDS = 4;
const RESOURCES = 1_000;
const CONCURRENCY = 8;
const TARGET_RATIO = 0.8;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const HOUR = 3_600_000;

function jobs(tenantId: string, count: number): BackupJob[] {
  return Array.from({ length: count }, (_, i) => {
    const startedAt = T0 + Math.floor(i / RESOURCES) * HOUR;
    return {
      tenantId,
      source: 'generic',
      kind: 'backup',
      jobId: `job-${i}`,
      resourceId: `server-${i % RESOURCES}`,
      state: 'COMPLETED',
      startedAt,
      completedAt: startedAt + 600_000,
      sizeBytes: 1_000_000 + i,
      observedAt: startedAt + 700_000,
    } satisfies BackupJob;
  });
}

type Request = { PutRequest?: { Item: Item | undefined } };

async function rawBatchWrite(doc: DynamoDBDocumentClient, tableName: string, items: Item[]): Promise<void> {
  await mapLimit(chunk(items, 25), CONCURRENCY, async (group) => {
    let left: Request[] | undefined = group.map((item) => ({ PutRequest: { Item: item } }));
    while (left && left.length > 0) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: left as never } }));
      left = out.UnprocessedItems?.[tableName] as Request[] | undefined;
    }
  });
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return (performance.now() - started) / 1_000;
}

/**
 * Runs one measurement on a FRESH local cloud: dynalite slows down as its in-memory table grows,
 * so measuring both paths on one table would penalise whichever runs second.
 */
async function onFreshCloud(run: (tableName: string, client: DynamoDBClient) => Promise<number>): Promise<number> {
  const home = await mkdtemp(join(tmpdir(), 'reversa-bench-ingest-'));
  const cloud = await startLocalCloud({ home, persist: false, exportEnv: false });
  const client = localDynamoClient(cloud.endpoints);
  try {
    return await run(cloud.tableName, client);
  } finally {
    client.destroy();
    await cloud.stop();
    await rm(home, { recursive: true, force: true });
  }
}

export async function benchIngest(records = RECORDS): Promise<BenchResult> {
  const perRound = Math.ceil(records / ROUNDS);
  let rawSeconds = 0;
  let storeSeconds = 0;
  let written = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Built outside the timed sections: both paths get the same, already generated records.
    const slice = jobs(`bench-${round}`, perRound);
    const items = slice.map((j) => jobItem(j).item);
    const raw = () =>
      onFreshCloud(async (tableName, client) => {
        const doc = documentClient(client);
        await rawBatchWrite(
          doc,
          tableName,
          jobs('warm', 500).map((j) => jobItem(j).item),
        ); // connections, JIT
        return timed(() => rawBatchWrite(doc, tableName, items));
      });
    const store = () =>
      onFreshCloud(async (tableName, client) => {
        const facts = new DynamoFactStore({ tableName, client, concurrency: CONCURRENCY });
        await facts.putFacts({ jobs: jobs('warm', 500), recoveryPoints: [], resources: [] });
        return timed(async () => {
          written += (await facts.putFacts({ jobs: slice, recoveryPoints: [], resources: [] })).written;
        });
      });
    if (round % 2 === 0) {
      rawSeconds += await raw();
      storeSeconds += await store();
    } else {
      storeSeconds += await store();
      rawSeconds += await raw();
    }
  }

  const total = perRound * ROUNDS;
  const rawRate = total / rawSeconds;
  const storeRate = total / storeSeconds;
  const ratio = storeRate / rawRate;
  const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`;
  return {
    name: 'ingest',
    lines: [
      `${total.toLocaleString('en-US')} COMPLETED generic job records over ${RESOURCES} resources, local DynamoDB (dynalite), ${CONCURRENCY} calls in flight, ${ROUNDS} interleaved rounds on fresh tables`,
      `FactStore.putFacts: ${storeSeconds.toFixed(2)} s, ${fmt(storeRate)} (${written} written)`,
      `baseline "raw BatchWriteItem" (the same items, plain BatchWrite calls, no dedupe/ranking): ${rawSeconds.toFixed(2)} s, ${fmt(rawRate)}`,
      `ratio putFacts / raw: ${ratio.toFixed(2)} (target >= ${TARGET_RATIO})`,
    ],
    ok: ratio >= TARGET_RATIO && written === total,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const records = process.argv[2] === undefined ? RECORDS : Number(process.argv[2]);
  const result = await benchIngest(records);
  console.log(`# ${result.name}: ${result.ok ? 'ok' : 'BELOW TARGET'}`);
  for (const line of result.lines) console.log(line);
  process.exitCode = result.ok ? 0 : 1;
}
