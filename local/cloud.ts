/**
 * The embedded local cloud: dynalite (DynamoDB) and s3rver (S3) in this process, on 127.0.0.1
 * random ports, with the main table, the idempotency table and the data bucket created if
 * missing. Starting it also exports the SDK environment (endpoints, dummy credentials, checksum
 * mode) so handlers and CLI code that build default clients talk to it with no code change.
 */
import crypto from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { localDynamoClient } from '#adapters/local/local-clients.ts';
import { exportToProcessEnv, type LocalEndpoints, type LocalResourceNames, localCloudEnv, reversaHome } from '#config';
import { acquireHomeLock, type HomeLock, type HomeLockOptions } from './home-lock.ts';

export const LOCAL_TABLE = 'reversa-main';
export const LOCAL_IDEMPOTENCY_TABLE = 'reversa-idempotency';
export const LOCAL_BUCKET = 'reversa-data';
/** In AWS the audit bucket has Object Lock (compliance mode); s3rver has none, see README limits. */
export const LOCAL_AUDIT_BUCKET = 'reversa-audit';
export const LOCAL_DOSSIER_BUCKET = 'reversa-dossiers';

export interface LocalCloud {
  endpoints: LocalEndpoints;
  tableName: string;
  idempotencyTableName: string;
  bucketName: string;
  auditBucketName: string;
  dossierBucketName: string;
  /** Root directory of the local state (dynamodb/, s3/, events.jsonl). */
  home: string;
  /** Where the local EventPublisher appends events (JSON lines). */
  eventsFile: string;
  /** The environment exported to process.env (also handy for child processes). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface StartLocalCloudOptions {
  /** Defaults to $REVERSA_HOME, else `.reversa/` in the current directory. */
  home?: string;
  /** Keep DynamoDB and S3 state on disk under `home` (default true). False: in-memory / temp dir, gone at stop. */
  persist?: boolean;
  /** Export the SDK environment into process.env (default true). */
  exportEnv?: boolean;
  /** Fixed ports (default: random free ports). */
  ports?: { dynamodb?: number; s3?: number };
  /**
   * Write `<home>/local-cloud.json` so that other processes (the CLI) attach to this running cloud
   * instead of starting their own (`reversa local up`). Removed at stop.
   */
  announce?: boolean;
  /**
   * With `persist`, hold the home's lock (local/home-lock.ts) while the cloud runs, so a second
   * process waits instead of crashing on leveldb's own lock. `false`: the caller holds it already.
   */
  lock?: HomeLockOptions | false;
}

/** What a running local cloud announces in `<home>/local-cloud.json`. */
interface Announcement {
  pid: number;
  endpoints: LocalEndpoints;
  names: LocalResourceNames;
}

const ANNOUNCEMENT = 'local-cloud.json';

// dynalite and s3rver ship no type declarations: describe the small part we use.
interface DynaliteServer extends Server {}
type DynaliteFactory = (options: Record<string, unknown>) => DynaliteServer;
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

const require = createRequire(import.meta.url);

/**
 * s3rver encrypts ListObjectsV2 continuation tokens with single DES, which OpenSSL 3 (Node >= 17)
 * only offers with --openssl-legacy-provider: without it every truncated listing fails with HTTP
 * 500 ERR_OSSL_EVP_UNSUPPORTED. Rather than require a NODE_OPTIONS flag in every process that
 * starts the local cloud, map 'des' (DES-CBC, 8-byte key) onto the default provider's
 * 'des-ede-cbc' with the key repeated (K1 = K2), which is mathematically the same cipher. Only a
 * call that would otherwise throw is redirected.
 */
function enableSingleDesForS3rver(): void {
  try {
    crypto.createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
    return; // legacy provider loaded (NODE_OPTIONS=--openssl-legacy-provider): nothing to do
  } catch {
    // fall through and install the mapping
  }
  const mutable = crypto as unknown as Record<'createCipheriv' | 'createDecipheriv', (...args: unknown[]) => unknown>;
  for (const name of ['createCipheriv', 'createDecipheriv'] as const) {
    const original = mutable[name];
    if ((original as { reversaDes?: boolean }).reversaDes) continue;
    const mapped = (algorithm: unknown, key: unknown, iv: unknown, ...rest: unknown[]) =>
      algorithm === 'des' && Buffer.isBuffer(key) && key.length === 8
        ? original('des-ede-cbc', Buffer.concat([key, key]), iv, ...rest)
        : original(algorithm, key, iv, ...rest);
    Object.assign(mapped, { reversaDes: true });
    mutable[name] = mapped;
  }
}

function listen(server: Server, port = 0): Promise<AddressInfo> {
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolvePort(server.address() as AddressInfo));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolveClose, reject) => server.close((error) => (error ? reject(error) : resolveClose())));
}

async function ensureTable(client: DynamoDBClient, input: CreateTableCommandInput): Promise<void> {
  try {
    await client.send(new CreateTableCommand(input));
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
  }
  // createTableMs is 0, so the table turns ACTIVE on the next tick; wait for it without a fixed sleep.
  for (;;) {
    const out = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
    if (out.Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setImmediate(r));
  }
}

export async function startLocalCloud(opts: StartLocalCloudOptions = {}): Promise<LocalCloud> {
  const home = resolve(opts.home ?? reversaHome());
  const persist = opts.persist ?? true;
  await mkdir(home, { recursive: true });
  const lock = persist && opts.lock !== false ? await acquireHomeLock(home, opts.lock ?? {}) : undefined;
  try {
    return await startLocked(home, persist, opts, lock);
  } catch (error) {
    await lock?.release();
    throw error;
  }
}

async function startLocked(
  home: string,
  persist: boolean,
  opts: StartLocalCloudOptions,
  lock: HomeLock | undefined,
): Promise<LocalCloud> {
  enableSingleDesForS3rver();
  const dynalite = require('dynalite') as DynaliteFactory;
  const S3rver = require('s3rver') as S3rverConstructor;

  const dynamoPath = join(home, 'dynamodb');
  if (persist) await mkdir(dynamoPath, { recursive: true });
  const dynamo = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(persist ? { path: dynamoPath } : {}),
  });

  const s3Dir = persist ? join(home, 's3') : await mkdtemp(join(tmpdir(), 'reversa-s3-'));
  await mkdir(s3Dir, { recursive: true });
  const s3 = new S3rver({
    address: '127.0.0.1',
    port: opts.ports?.s3 ?? 0,
    directory: s3Dir,
    silent: true,
    configureBuckets: [{ name: LOCAL_BUCKET }, { name: LOCAL_AUDIT_BUCKET }, { name: LOCAL_DOSSIER_BUCKET }],
  });

  const [dynamoAddress, s3Address] = await Promise.all([listen(dynamo, opts.ports?.dynamodb), s3.run()]);
  const endpoints: LocalEndpoints = {
    dynamodb: `http://127.0.0.1:${dynamoAddress.port}`,
    s3: `http://127.0.0.1:${s3Address.port}`,
  };
  const names: LocalResourceNames = {
    tableName: LOCAL_TABLE,
    idempotencyTableName: LOCAL_IDEMPOTENCY_TABLE,
    bucketName: LOCAL_BUCKET,
    auditBucketName: LOCAL_AUDIT_BUCKET,
    dossierBucketName: LOCAL_DOSSIER_BUCKET,
  };

  const client = localDynamoClient(endpoints);
  try {
    await Promise.all([
      ensureTable(client, {
        TableName: LOCAL_TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
      ensureTable(client, {
        TableName: LOCAL_IDEMPOTENCY_TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    ]);
  } finally {
    client.destroy();
  }

  const env = localCloudEnv(endpoints, names);
  if (opts.exportEnv ?? true) exportToProcessEnv(env);

  const announcement = join(home, ANNOUNCEMENT);
  if (opts.announce) {
    const a: Announcement = { pid: process.pid, endpoints, names };
    await writeFile(announcement, `${JSON.stringify(a, null, 2)}\n`);
  }
  let stopped = false;
  return {
    endpoints,
    ...names,
    home,
    eventsFile: join(home, 'events.jsonl'),
    env,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (opts.announce) await rm(announcement, { force: true });
      await Promise.all([close(dynamo), s3.close()]);
      if (!persist) await rm(s3Dir, { recursive: true, force: true });
      await lock?.release();
    },
  };
}

/**
 * The local cloud another process (`reversa local up`) runs on this home, if it is alive: its
 * endpoints, with a stop() that leaves it running. Several CLI commands can then share it, and
 * presigned links stay valid while it runs.
 */
export async function attachLocalCloud(
  opts: { home?: string; exportEnv?: boolean } = {},
): Promise<LocalCloud | undefined> {
  const home = resolve(opts.home ?? reversaHome());
  let a: Announcement;
  try {
    a = JSON.parse(await readFile(join(home, ANNOUNCEMENT), 'utf8')) as Announcement;
    process.kill(a.pid, 0); // throws when no such process: a stale announcement
    await fetch(a.endpoints.s3, { signal: AbortSignal.timeout(2000) });
  } catch {
    return undefined;
  }
  const env = localCloudEnv(a.endpoints, a.names);
  if (opts.exportEnv ?? true) exportToProcessEnv(env);
  return {
    endpoints: a.endpoints,
    ...a.names,
    home,
    eventsFile: join(home, 'events.jsonl'),
    env,
    stop: async () => undefined,
  };
}

/** Attaches to a running local cloud on this home, or starts one in this process. */
export async function openLocalCloud(opts: StartLocalCloudOptions = {}): Promise<LocalCloud> {
  return (await attachLocalCloud(opts)) ?? startLocalCloud(opts);
}
