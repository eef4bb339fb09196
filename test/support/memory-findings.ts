/**
 * An in-memory FindingStore with the DynamoDB store's contract (first opening wins, saves only at the
 * revision read, keyed timeline entries written once): for unit tests of the use cases. The real
 * store is tested against dynalite (test/unit/restore/stores.test.ts) and moto (test/aws/).
 */
import { ConflictError } from '#core/errors.ts';
import type { IncidentSource } from '#core/incidents/model.ts';
import type {
  FindingStatus,
  FindingStore,
  FindingTimelineEntry,
  IncidentRecord,
  RestoreFinding,
  VerificationIncident,
} from '#core/restore/ports.ts';

export class MemoryFindingStore implements FindingStore {
  readonly rows = new Map<string, IncidentRecord>();
  private readonly entries = new Map<string, { key?: string; entry: FindingTimelineEntry }[]>();

  private id(tenantId: string, findingId: string): string {
    return `${tenantId}\u0000${findingId}`;
  }

  async open(f: IncidentRecord): Promise<boolean> {
    const id = this.id(f.tenantId, f.findingId);
    if (this.rows.has(id)) return false;
    this.rows.set(id, structuredClone(f));
    return true;
  }

  async get(tenantId: string, findingId: string): Promise<IncidentRecord | undefined> {
    const row = this.rows.get(this.id(tenantId, findingId));
    return row === undefined ? undefined : structuredClone(row);
  }

  async save(record: IncidentRecord, expectedRevision: number): Promise<void> {
    const id = this.id(record.tenantId, record.findingId);
    const current = this.rows.get(id);
    if (!current || (current.revision ?? 0) !== expectedRevision) {
      throw new ConflictError('IncidentChanged', `finding ${record.findingId} changed since it was read`);
    }
    this.rows.set(id, structuredClone(record));
  }

  list(tenantId: string, o: { status?: FindingStatus; source: 'restore-test' }): Promise<RestoreFinding[]>;
  list(tenantId: string, o: { status?: FindingStatus; source: 'verification' }): Promise<VerificationIncident[]>;
  list(tenantId: string, o?: { status?: FindingStatus; source?: IncidentSource }): Promise<IncidentRecord[]>;
  async list(tenantId: string, o: { status?: FindingStatus; source?: IncidentSource } = {}): Promise<IncidentRecord[]> {
    return [...this.rows.values()]
      .filter(
        (f) =>
          f.tenantId === tenantId &&
          (o.status === undefined || f.status === o.status) &&
          (o.source === undefined || (f.source ?? 'restore-test') === o.source),
      )
      .sort((a, b) => (a.openedAt < b.openedAt ? 1 : a.openedAt > b.openedAt ? -1 : a.findingId < b.findingId ? -1 : 1))
      .map((f) => structuredClone(f));
  }

  async addTimelineEntry(
    tenantId: string,
    findingId: string,
    entry: FindingTimelineEntry,
    options: { key?: string } = {},
  ): Promise<void> {
    const id = this.id(tenantId, findingId);
    const list = this.entries.get(id) ?? [];
    if (options.key !== undefined && list.some((e) => e.key === options.key)) return;
    list.push({ ...(options.key === undefined ? {} : { key: options.key }), entry: { ...entry } });
    this.entries.set(id, list);
  }

  async timeline(tenantId: string, findingId: string): Promise<FindingTimelineEntry[]> {
    return (this.entries.get(this.id(tenantId, findingId)) ?? [])
      .map((e) => e.entry)
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }
}
