/**
 * The ports every entry point shares, whatever the flavour (AWS or the local cloud). Each workflow's
 * factory (wiring/aws/*.ts, wiring/local/*.ts) starts from these and adds what its steps need.
 */
import type { AuditDeps, Signer } from '#core/audit/ports.ts';
import type { ReversaEventSink } from '#core/events/catalogue.ts';
import type {
  BlobStore,
  Clock,
  EventPublisher,
  FactStore,
  ReportStore,
  StrategyStore,
  TenantStore,
  VerifyStarter,
} from '#core/ports.ts';
import type { FindingStore, RestoreTestStore } from '#core/restore/ports.ts';

export interface Adapters {
  facts: FactStore;
  strategies: StrategyStore;
  reports: ReportStore;
  tenants: TenantStore;
  blobs: BlobStore;
  events: EventPublisher;
  /**
   * Catalogue events (core/events/catalogue.ts) onto the same bus, with their type as detail-type:
   * what notification delivery consumes. Use cases emit here once; nothing else sends them.
   */
  notifications: ReversaEventSink;
  clock: Clock;
  /** The tenant audit logs: DynamoDB serialises appends, the audit bucket keeps the exportable copy. */
  audit: AuditDeps;
  /** Signs reversibility dossiers (KMS in AWS, a PEM file locally). */
  dossierSigner: Signer;
  /** Restore-test index rows (the evidence JSON itself is in `blobs`). */
  restoreTests: RestoreTestStore;
  /** Findings opened by failed restore tests; the provider fills in root cause and corrective action. */
  findings: FindingStore;
  /** Wired by the workflow layer (Step Functions in AWS, the in-process ASL runner locally). */
  verify?: VerifyStarter;
}
