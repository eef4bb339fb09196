/**
 * FactStore on the main table. Facts are partitioned per resource so the verifier reads one
 * resource with one (paginated) Query bounded by `since`; see docs/storage.md.
 *
 * Idempotency and out-of-order delivery: each item carries `rank` (jobStateRank /
 * recoveryPointStatusRank) and `observedAt`; an observation only replaces the stored one when it
 * is strictly newer in (rank, observedAt). Records at the top rank (terminal job states, final
 * point statuses) go in bulk: one BatchGetItem per 100 reads what is held, and BatchWriteItem
 * writes only what is new, newer, or different — which keeps bulk ingestion of finished jobs fast
 * while an unchanged report writes nothing and reports nothing written (so the tenant is not
 * marked for re-verification). dynalite has no transactions: two writers racing on one terminal
 * record both write, and the last one wins, as before.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { TransientError } from '#core/errors.ts';
import {
  type BackupJob,
  type FactBatch,
  jobStateRank,
  type RecoveryPoint,
  type ResourceFacts,
  recoveryPointStatusRank,
  type SeenResource,
  TERMINAL_JOB_STATES,
} from '#core/model.ts';
import type { FactStore, PutFactsResult } from '#core/ports.ts';
import { keys } from './dynamo-keys.ts';
import {
  batchPutAll,
  chunk,
  documentClient,
  type Item,
  isConditionalCheckFailed,
  iso,
  mapLimit,
  queryAll,
} from './dynamo-support.ts';

const FINAL_POINT_RANK = 2;
/** Attributes that exist only in storage; everything else on a fact item is the model record. */
const STORAGE_ONLY = new Set(['pk', 'sk', 'fact', 'rank', 'tagsKey']);

export interface DynamoFactStoreOptions {
  tableName: string;
  client?: DynamoDBClient;
  /** Parallel conditional writes / queries in flight. */
  concurrency?: number;
}

interface FactItem {
  item: Item;
  rank: number;
  observedAt: number;
  blind: boolean;
}

export function jobItem(job: BackupJob): FactItem {
  const rank = jobStateRank(job.state);
  return {
    rank,
    observedAt: job.observedAt,
    blind: TERMINAL_JOB_STATES.has(job.state),
    item: {
      ...job,
      pk: keys.resourcePk(job.tenantId, job.resourceId),
      sk: keys.jobSk(job.startedAt, job.source, job.jobId),
      fact: 'job',
      rank,
      startedAtIso: iso(job.startedAt),
      completedAtIso: job.completedAt === undefined ? undefined : iso(job.completedAt),
      observedAtIso: iso(job.observedAt),
    },
  };
}

export function pointItem(point: RecoveryPoint): FactItem {
  const rank = recoveryPointStatusRank(point.status);
  return {
    rank,
    observedAt: point.observedAt,
    blind: rank === FINAL_POINT_RANK,
    item: {
      ...point,
      pk: keys.resourcePk(point.tenantId, point.resourceId),
      sk: keys.pointSk(point.source, point.recoveryPointId),
      fact: 'point',
      rank,
      createdAtIso: iso(point.createdAt),
      deleteAtIso: point.deleteAt === undefined ? undefined : iso(point.deleteAt),
      immutableUntilIso: point.immutableUntil === undefined ? undefined : iso(point.immutableUntil),
      observedAtIso: iso(point.observedAt),
    },
  };
}

/**
 * One fact per key. Jobs: the newest observation in (rank, observedAt) wins; ties keep the first.
 * Points: observations are merged, because each source knows different things about the same
 * point (a copy job knows copyOf, the recovery point event knows encryption and lifecycle):
 * the newer observation's fields win, the older one fills what the newer does not say.
 */
function dedupe(facts: readonly FactItem[]): FactItem[] {
  const byKey = new Map<string, FactItem>();
  for (const fact of facts) {
    const key = `${fact.item.pk as string}\u0000${fact.item.sk as string}`;
    const held = byKey.get(key);
    if (!held) {
      byKey.set(key, fact);
      continue;
    }
    const newer = isNewer(fact, held) ? fact : held;
    const older = newer === fact ? held : fact;
    byKey.set(
      key,
      fact.item.fact === 'point'
        ? { ...newer, item: { ...withoutUndefined(older.item), ...withoutUndefined(newer.item) } }
        : newer,
    );
  }
  return [...byKey.values()];
}

function isNewer(a: FactItem, b: FactItem): boolean {
  return a.rank > b.rank || (a.rank === b.rank && a.observedAt > b.observedAt);
}

function withoutUndefined(item: Item): Item {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) if (v !== undefined) out[k] = v;
  return out;
}

function mergeSeen(resources: readonly SeenResource[]): SeenResource[] {
  const byKey = new Map<string, SeenResource>();
  for (const r of resources) {
    const key = `${r.tenantId}\u0000${r.source}\u0000${r.resourceId}`;
    const held = byKey.get(key);
    if (!held) {
      byKey.set(key, { ...r });
      continue;
    }
    const newer = r.lastSeenAt >= held.lastSeenAt ? r : held;
    byKey.set(key, {
      ...newer,
      firstSeenAt: Math.min(held.firstSeenAt, r.firstSeenAt),
      lastSeenAt: Math.max(held.lastSeenAt, r.lastSeenAt),
    });
  }
  return [...byKey.values()];
}

const factKey = (item: Item): string => `${item.pk as string}\u0000${item.sk as string}`;

/** JSON with sorted keys and without undefined values: two items with the same content give the same text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Whether a top-rank fact must be written over what is held: absent, outranked, older, or different. */
function replaces(fact: FactItem, held: Item | undefined): boolean {
  if (held === undefined) return true;
  const heldRank = typeof held.rank === 'number' ? held.rank : -1;
  const heldObserved = typeof held.observedAt === 'number' ? held.observedAt : -1;
  if (heldRank !== fact.rank) return heldRank < fact.rank;
  if (heldObserved !== fact.observedAt) return heldObserved < fact.observedAt;
  return canonical(held) !== canonical(fact.item);
}

const BATCH_GET_MAX = 100;
const GET_ATTEMPTS = 10;
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function toRecord<T>(item: Item): T {
  const record: Item = {};
  for (const [name, value] of Object.entries(item)) {
    if (!STORAGE_ONLY.has(name) && !name.endsWith('Iso')) record[name] = value;
  }
  return record as T;
}

export class DynamoFactStore implements FactStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly concurrency: number;

  constructor(options: DynamoFactStoreOptions) {
    this.doc = documentClient(options.client);
    this.tableName = options.tableName;
    this.concurrency = options.concurrency ?? 16;
  }

  async putFacts(batch: FactBatch): Promise<PutFactsResult> {
    const facts = dedupe([...batch.jobs.map(jobItem), ...batch.recoveryPoints.map(pointItem)]);
    const final = facts.filter((f) => f.blind);
    const conditional = facts.filter((f) => !f.blind);

    const [finalWritten, outcomes] = await Promise.all([
      this.putFinal(final),
      mapLimit(conditional, this.concurrency, (fact) => this.putIfNewer(fact)),
      mapLimit(mergeSeen(batch.resources), this.concurrency, (r) => this.putSeen(r)),
    ]);
    const conditionalWritten = outcomes.filter(Boolean).length;
    return {
      written: finalWritten + conditionalWritten,
      stale: final.length - finalWritten + outcomes.length - conditionalWritten,
    };
  }

  /**
   * Top-rank facts: read what is held, batch-write only what replaces it; returns how many were
   * written. A (source, resource) with no seen-resource row has no facts either (both are written
   * by every putFacts), so its facts are not read: a first ingestion costs one read per 100
   * resources, not one per 100 facts.
   */
  private async putFinal(facts: readonly FactItem[]): Promise<number> {
    if (facts.length === 0) return 0;
    const seenKeyOf = (f: FactItem) => ({
      pk: keys.seenPk(f.item.tenantId as string),
      sk: keys.seenSk(f.item.source as string, f.item.resourceId as string),
    });
    const seenKeys = new Map<string, Item>();
    for (const f of facts) {
      const k = seenKeyOf(f);
      seenKeys.set(factKey(k), k);
    }
    const seen = new Set((await this.getAll([...seenKeys.values()], 'pk, sk')).map(factKey));
    const maybeHeld = facts.filter((f) => seen.has(factKey(seenKeyOf(f))));
    const held = new Map<string, Item>();
    for (const item of await this.getAll(maybeHeld.map((f) => ({ pk: f.item.pk, sk: f.item.sk })))) {
      held.set(factKey(item), item);
    }
    const changed = facts.filter((f) => replaces(f, held.get(factKey(f.item))));
    await batchPutAll(
      this.doc,
      this.tableName,
      changed.map((f) => f.item),
    );
    return changed.length;
  }

  private async getAll(keysToRead: readonly Item[], projection?: string): Promise<Item[]> {
    const groups = await mapLimit(chunk(keysToRead, BATCH_GET_MAX), this.concurrency, (group) =>
      this.getHeld(group, projection),
    );
    return groups.flat();
  }

  /** BatchGetItem of at most 100 keys, retrying UnprocessedKeys (throttling) like batchPutAll retries writes. */
  private async getHeld(keysToRead: Item[], projection?: string): Promise<Item[]> {
    const found: Item[] = [];
    let request: BatchGetCommandInput['RequestItems'] = {
      [this.tableName]: {
        Keys: keysToRead,
        ConsistentRead: true,
        ...(projection === undefined ? {} : { ProjectionExpression: projection }),
      },
    };
    for (let attempt = 0; ; attempt++) {
      const out: BatchGetCommandOutput = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
      found.push(...(out.Responses?.[this.tableName] ?? []));
      const left = out.UnprocessedKeys?.[this.tableName];
      if (!left?.Keys || left.Keys.length === 0) return found;
      if (attempt + 1 >= GET_ATTEMPTS) {
        throw new TransientError('BatchGetUnprocessed', `${left.Keys.length} key(s) still unread after retries`);
      }
      request = { [this.tableName]: left };
      await delay(Math.min(2_000, 25 * 2 ** attempt));
    }
  }

  private async putIfNewer(fact: FactItem): Promise<boolean> {
    if (fact.item.fact === 'point') return this.mergePoint(fact);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: fact.item,
          ConditionExpression: 'attribute_not_exists(pk) OR #rank < :rank OR (#rank = :rank AND #obs < :obs)',
          ExpressionAttributeNames: { '#rank': 'rank', '#obs': 'observedAt' },
          ExpressionAttributeValues: { ':rank': fact.rank, ':obs': fact.observedAt },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /**
   * A newer observation of a point SETs the fields it knows and keeps the others; an older one
   * only fills fields the stored point lacks (if_not_exists), so arrival order never loses a fact.
   */
  private async mergePoint(fact: FactItem): Promise<boolean> {
    const fields = Object.entries(withoutUndefined(fact.item)).filter(([k]) => k !== 'pk' && k !== 'sk');
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    fields.forEach(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
    });
    const key = { pk: fact.item.pk, sk: fact.item.sk };
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
          ConditionExpression: 'attribute_not_exists(pk) OR #rank < :rank OR (#rank = :rank AND #obs < :obs)',
          ExpressionAttributeNames: { ...names, '#rank': 'rank', '#obs': 'observedAt' },
          ExpressionAttributeValues: { ...values, ':rank': fact.rank, ':obs': fact.observedAt },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    // Only when the held point lacks one of the fields: an unchanged observation writes nothing.
    await this.updateIgnoringStale({
      TableName: this.tableName,
      Key: key,
      UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = if_not_exists(#f${i}, :v${i})`).join(', ')}`,
      ConditionExpression: fields.map((_, i) => `attribute_not_exists(#f${i})`).join(' OR '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    return false;
  }

  /** Two conditional updates, because DynamoDB has no min()/max(): each moves one bound outward only. */
  private async putSeen(r: SeenResource): Promise<void> {
    const key = { pk: keys.seenPk(r.tenantId), sk: keys.seenSk(r.source, r.resourceId) };
    const identity = { ':t': r.tenantId, ':s': r.source, ':r': r.resourceId };
    const extraSet = [
      r.resourceType === undefined ? '' : ', resourceType = :type',
      r.tags === undefined ? '' : ', tags = :tags, tagsKey = :tagsKey',
    ].join('');
    // Tags are compared through their canonical text: condition expressions compare maps unreliably
    // (dynalite never finds two maps equal).
    const changes = [
      r.resourceType === undefined ? '' : 'attribute_not_exists(resourceType) OR resourceType <> :type',
      r.tags === undefined ? '' : 'attribute_not_exists(tagsKey) OR tagsKey <> :tagsKey',
    ].filter(Boolean);
    const sameTimeChanges = changes.length === 0 ? '' : ` OR (lastSeenAt = :last AND (${changes.join(' OR ')}))`;
    await Promise.all([
      this.updateIgnoringStale({
        TableName: this.tableName,
        Key: key,
        UpdateExpression:
          'SET firstSeenAt = :first, firstSeenIso = :firstIso, tenantId = :t, #source = :s, resourceId = :r',
        ConditionExpression: 'attribute_not_exists(firstSeenAt) OR firstSeenAt > :first',
        ExpressionAttributeNames: { '#source': 'source' },
        ExpressionAttributeValues: { ...identity, ':first': r.firstSeenAt, ':firstIso': iso(r.firstSeenAt) },
      }),
      this.updateIgnoringStale({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: `SET lastSeenAt = :last, lastSeenIso = :lastIso, tenantId = :t, #source = :s, resourceId = :r${extraSet}`,
        // The same sighting again (same time, same type and tags) writes nothing.
        ConditionExpression: `attribute_not_exists(lastSeenAt) OR lastSeenAt < :last${sameTimeChanges}`,
        ExpressionAttributeNames: { '#source': 'source' },
        ExpressionAttributeValues: {
          ...identity,
          ':last': r.lastSeenAt,
          ':lastIso': iso(r.lastSeenAt),
          ...(r.resourceType === undefined ? {} : { ':type': r.resourceType }),
          ...(r.tags === undefined ? {} : { ':tags': r.tags, ':tagsKey': canonical(r.tags) }),
        },
      }),
    ]);
  }

  private async updateIgnoringStale(input: ConstructorParameters<typeof UpdateCommand>[0]): Promise<void> {
    try {
      await this.doc.send(new UpdateCommand(input));
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async getFacts(tenantId: string, resourceIds: readonly string[], since: number): Promise<Map<string, ResourceFacts>> {
    const unique = [...new Set(resourceIds)];
    const perResource = await mapLimit(unique, this.concurrency, async (resourceId) => {
      const pk = keys.resourcePk(tenantId, resourceId);
      const [jobs, points] = await Promise.all([
        queryAll(this.doc, {
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': pk, ':from': keys.jobSinceSk(since), ':to': keys.jobEndSk },
          ConsistentRead: true,
        }),
        queryAll(this.doc, {
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          FilterExpression: 'createdAt >= :since',
          ExpressionAttributeValues: { ':pk': pk, ':p': keys.pointPrefix, ':since': since },
          ConsistentRead: true,
        }),
      ]);
      return { jobs, points };
    });
    const result = new Map<string, ResourceFacts>();
    unique.forEach((resourceId, index) => {
      const items = perResource[index];
      // Jobs arrive in start-time order (their sort key starts with it); points are keyed by id.
      const recoveryPoints = (items?.points ?? []).map((item) => toRecord<RecoveryPoint>(item));
      recoveryPoints.sort((a, b) => a.createdAt - b.createdAt || (a.recoveryPointId < b.recoveryPointId ? -1 : 1));
      result.set(resourceId, { jobs: (items?.jobs ?? []).map((item) => toRecord<BackupJob>(item)), recoveryPoints });
    });
    return result;
  }

  async listSeenResources(tenantId: string): Promise<SeenResource[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.seenPk(tenantId) },
      ConsistentRead: true,
    });
    return items.map((item) => toRecord<SeenResource>(item));
  }
}
