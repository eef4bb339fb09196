/**
 * Everything an interactive entry point (the CLI in either mode, the API, the demo) needs from a
 * Reversa installation: the shared ports and the workflows, whether they run on the embedded local
 * cloud (wiring/local/platform.ts) or on a deployed stack (wiring/aws/platform.ts). Every command is
 * written once against this.
 */
import type { LocalSecretStore } from '#adapters/local/local-secret-store.ts';
import type { ReversaEventSink } from '#core/events/catalogue.ts';
import type { UserDirectory } from '#core/identity/users.ts';
import type { DeliveryLog, NotificationSecrets, SubscriptionStore } from '#core/notifications/ports.ts';
import type { Clock, StrategyStore, VerifyStarter } from '#core/ports.ts';
import type { ScheduleManager } from '#core/restore/schedule.ts';
import type { DossierDeps } from '#core/use-cases/dossier-deps.ts';
import type { ExportInput } from '#core/use-cases/dossier-export.ts';
import type { RestoreTestStarter } from '#core/use-cases/restore-test.ts';
import type { SlaStatementDeps } from '#core/use-cases/sla-statement.ts';
import type { Adapters } from './adapters.ts';

/** How a workflow execution ended (Step Functions' status, error and cause). */
export interface WorkflowRun {
  status: string;
  executionName: string;
  error?: string;
  cause?: string;
}

export type VerifyRun = WorkflowRun;
export type ExportRun = WorkflowRun;

/** What `reversa notify …` works with, on the local cloud or a stack. */
export interface NotificationAdmin {
  subscriptions: SubscriptionStore;
  log: DeliveryLog;
  /** Where channel credentials go (the tenant's secret store): never the subscription, log or output. */
  secrets: NotificationSecrets;
  /** The bus, for `notify test`'s event. */
  events: ReversaEventSink;
  strategies: Pick<StrategyStore, 'getCurrent'>;
  /** Delivers what the bus holds and what is due (local: the outbox pump; AWS: the delivery Lambda does it). */
  flush(): Promise<void>;
  /** How long `notify test` waits for the deliveries to reach the log (0 locally: flush delivers in-process). */
  settleMs: number;
  /** Where the dead letters can be inspected, for humans. */
  describeDeadLetters(): string;
  /** E-mail channels on a stack are SNS subscriptions (the address confirms); nothing to do locally. */
  addEmail(tenantId: string, subscriptionId: string, address: string): Promise<void>;
  removeEmail(tenantId: string, subscriptionId: string, address: string): Promise<void>;
}

export interface Platform {
  target: 'local' | 'aws';
  deps: Adapters;
  now(): number;
  /** Runs the verify workflow to completion (the ASL file locally, Step Functions on AWS). */
  runVerify(input: { tenantId: string; at?: string }): Promise<VerifyRun>;
  /** Everything the reversibility export reads and writes (dossier store, buckets, secret source). */
  dossierDeps(): DossierDeps;
  /** What SLA statements are computed from and stored in (wiring/sla.ts). */
  slaDeps(): SlaStatementDeps;
  /** Runs the reversibility-export workflow to completion. */
  runExport(input: ExportInput): Promise<ExportRun>;
  /** A presigned GET for an object of the dossier bucket. */
  presignDossier(key: string, expiresInSeconds: number): Promise<string>;
  /**
   * Where restore-test schedules live: EventBridge Scheduler for a deployed stack; locally none
   * (`reversa local up` arms croner jobs from the applied strategies itself).
   */
  scheduleManager(): Promise<ScheduleManager | undefined>;
  /** Starts restore-test executions (the local ASL runner, or Step Functions). */
  restoreTestStarter(): RestoreTestStarter;
  /** Starts verify executions by name, as the sweep does (`clock`: the sweep's own time, for replays). */
  verifyStarter(clock?: Clock): VerifyStarter;
  /** The local secret store (local cloud only): escrow and restic passwords come from it. */
  localSecrets(): LocalSecretStore;
  /** Portal users: Cognito on a deployed stack, the local identity provider's directory locally. */
  users(): Promise<UserDirectory>;
  /** Who is acting, as the audit log records it: the OS user locally, the caller's IAM identity on AWS. */
  actor(): Promise<string>;
  /** Subscriptions, the delivery log and the channel credentials of every tenant. */
  notifications(): NotificationAdmin;
  /** Where a blob can be found, for humans. */
  describeBlob(key: string): string;
  /** Where an object of the dossier bucket can be found, for humans. */
  describeDossier(key: string): string;
  close(): Promise<void>;
}
