/**
 * A partition's write generation: one item `W#GEN` in the partition, with `gen` (bumped after
 * every write that changes what readers list) and `writing` (the ids whose write is under way).
 * It lets a store keep a listing in memory between requests and serve it only while it provably
 * has not changed (restore-test-window-cache.ts states the argument):
 *   writer: markWriting(id) → the write → writeDone(id)  (bump and unmark in one UpdateItem)
 *   reader: readGeneration (consistent) → use the memory only when settled and of the same gen;
 *           otherwise a consistent Query, kept under that generation when it was settled.
 * A writer that dies between its mark and its bump leaves `writing` non-empty: readers stop
 * using memory for that partition (safe, only slower) until a retry for the same id clears it.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

/** Sorts after the `E#`, `F#`, `ID#` and `S#` keys of the partitions that use it: no listing range includes it. */
export const GENERATION_SK = 'W#GEN';

export interface PartitionGeneration {
  gen: number;
  /** No write between its mark and its bump. */
  settled: boolean;
}

export interface GenerationTable {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

export async function markWriting(t: GenerationTable, pk: string, id: string): Promise<void> {
  await t.doc.send(
    new UpdateCommand({
      TableName: t.tableName,
      Key: { pk, sk: GENERATION_SK },
      UpdateExpression: 'ADD writing :id',
      ExpressionAttributeValues: { ':id': new Set([id]) },
    }),
  );
}

export async function writeDone(t: GenerationTable, pk: string, id: string): Promise<void> {
  await t.doc.send(
    new UpdateCommand({
      TableName: t.tableName,
      Key: { pk, sk: GENERATION_SK },
      UpdateExpression: 'ADD gen :one DELETE writing :id',
      ExpressionAttributeValues: { ':one': 1, ':id': new Set([id]) },
    }),
  );
}

/** A missing item (nothing written by this code yet) is generation 0, settled. */
export async function readGeneration(t: GenerationTable, pk: string): Promise<PartitionGeneration> {
  const out = await t.doc.send(
    new GetCommand({ TableName: t.tableName, Key: { pk, sk: GENERATION_SK }, ConsistentRead: true }),
  );
  const writing = out.Item?.writing as Set<string> | undefined;
  return { gen: Number(out.Item?.gen ?? 0), settled: writing === undefined || writing.size === 0 };
}

/** Per-partition values of one generation each, least recently used dropped first. */
export class GenerationMemo<V> {
  private readonly entries = new Map<string, { gen: number; value: V }>();

  constructor(private readonly capacity = 64) {}

  get(pk: string, generation: PartitionGeneration): V | undefined {
    if (!generation.settled) return undefined;
    const entry = this.entries.get(pk);
    if (entry === undefined || entry.gen !== generation.gen) return undefined;
    this.entries.delete(pk);
    this.entries.set(pk, entry);
    return entry.value;
  }

  set(pk: string, generation: PartitionGeneration, value: V): void {
    if (!generation.settled) return;
    this.entries.delete(pk);
    this.entries.set(pk, { gen: generation.gen, value });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }
}
