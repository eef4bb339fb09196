/** In-memory AuditStore and BlobStore with the same conditional-write semantics as the DynamoDB/S3 adapters. */
import type { AuditStore, OnceClaim, OnceMark } from '#core/audit/ports.ts';
import type { StoredAuditDigest, StoredAuditEntry } from '#core/audit/types.ts';
import { NotFoundError } from '#core/errors.ts';
import type { BlobStore } from '#core/ports.ts';

export class MemoryAuditStore implements AuditStore {
  readonly entries = new Map<string, StoredAuditEntry[]>();
  readonly digests = new Map<string, StoredAuditDigest[]>();

  private log(tenantId: string) {
    const list = this.entries.get(tenantId) ?? [];
    this.entries.set(tenantId, list);
    return list;
  }
  private digestLog(tenantId: string) {
    const list = this.digests.get(tenantId) ?? [];
    this.digests.set(tenantId, list);
    return list;
  }
  async headEntry(tenantId: string) {
    return this.log(tenantId).at(-1);
  }
  async putEntry(tenantId: string, entry: StoredAuditEntry) {
    const log = this.log(tenantId);
    if (log.some((e) => e.seq === entry.seq)) return false;
    log.push(entry);
    log.sort((a, b) => a.seq - b.seq);
    return true;
  }
  async *listEntries(tenantId: string, fromSeq: number, toSeq?: number) {
    for (const e of [...this.log(tenantId)]) if (e.seq >= fromSeq && (toSeq === undefined || e.seq <= toSeq)) yield e;
  }
  async headDigest(tenantId: string) {
    return this.digestLog(tenantId).at(-1);
  }
  async putDigest(tenantId: string, digest: StoredAuditDigest) {
    const log = this.digestLog(tenantId);
    if (log.some((d) => d.digestSeq === digest.digestSeq)) return false;
    log.push(digest);
    log.sort((a, b) => a.digestSeq - b.digestSeq);
    return true;
  }
  async *listDigests(tenantId: string) {
    yield* [...this.digestLog(tenantId)];
  }
  readonly marks = new Map<string, OnceMark>();
  async getOnceMark(tenantId: string, key: string) {
    return this.marks.get(`${tenantId} ${key}`);
  }
  async claimOnceMark(tenantId: string, key: string, claim: OnceClaim, replacing?: OnceClaim) {
    const current = this.marks.get(`${tenantId} ${key}`);
    const free =
      replacing === undefined
        ? current === undefined
        : current?.claimedAt === replacing.claimedAt && current.seq === undefined;
    if (free) this.marks.set(`${tenantId} ${key}`, { ...claim });
    return free;
  }
  async completeOnceMark(tenantId: string, key: string, seq: number) {
    const mark = this.marks.get(`${tenantId} ${key}`);
    if (mark) mark.seq = seq;
  }
}

export class MemoryBlobStore implements BlobStore {
  readonly objects = new Map<string, string>();
  async putText(key: string, body: string) {
    this.objects.set(key, body);
  }
  async getText(key: string) {
    const body = this.objects.get(key);
    if (body === undefined) throw new NotFoundError('BlobNotFound', `no object ${key}`);
    return body;
  }
  async exists(key: string) {
    return this.objects.has(key);
  }
  async list(prefix: string) {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
  async move(fromKey: string, toKey: string) {
    this.objects.set(toKey, await this.getText(fromKey));
    this.objects.delete(fromKey);
  }
  async delete(key: string) {
    this.objects.delete(key);
  }
}
