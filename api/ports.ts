/**
 * What the API needs from a Reversa installation, whatever it runs on: the wiring layer builds it
 * (wiring/local/api.ts for `reversa serve`, wiring/aws/api.ts for the Lambda behind API Gateway).
 * Every request that names a tenant gets that tenant's ports only (`forTenant`): bound to the tenant
 * by IAM in AWS (the tenant-access role), by tenant-bound clients locally, so a handler bug cannot
 * reach another tenant's data.
 */
import type { JSONWebKeySet } from 'jose';
import type { AuditDeps } from '#core/audit/ports.ts';
import type { DossierInputDeps } from '#core/dossier/assemble-inputs.ts';
import type { DossierStore, ObjectStore } from '#core/dossier/ports.ts';
import type { ReversaEventSink } from '#core/events/catalogue.ts';
import type { BlobStore, Clock, FactStore, ReportStore, StrategyStore, TenantStore } from '#core/ports.ts';
import type { FindingStore, RestoreTestStore } from '#core/restore/ports.ts';
import type { SecretValue } from '#core/secrets/secret-value.ts';
import type { ExportInput } from '#core/use-cases/dossier-export.ts';
import type { TokenVerifier } from './token-verifier.ts';

export interface ApiTenantPorts extends DossierInputDeps {
  strategies: StrategyStore;
  facts: FactStore;
  reports: ReportStore;
  tenants: TenantStore;
  blobs: BlobStore;
  restoreTests: RestoreTestStore;
  findings: FindingStore;
  audit: AuditDeps;
  /** The bus: incident changes are told to the tenant's notification subscriptions. */
  notifications?: ReversaEventSink;
  dossiers: DossierStore;
  /** The data bucket (downloads are staged under runs/<tenant>/) and the dossier bucket. */
  objects: ObjectStore;
  dossierObjects: ObjectStore;
  /** A presigned GET for an object of the data or the dossier bucket. */
  presign(bucket: 'data' | 'dossier', key: string, expiresInSeconds: number): Promise<string>;
}

export interface LocalIdentity {
  login(email: string, password: SecretValue, address: string): Promise<{ token: string; expiresAt: string }>;
  jwks(): Promise<JSONWebKeySet>;
}

export interface ApiDeps {
  clock: Clock;
  verifier: TokenVerifier;
  /** The tenants that exist (for provider-admins, who see every one). */
  tenantIndex: Pick<StrategyStore, 'listTenants'>;
  forTenant(tenantId: string): ApiTenantPorts;
  /** Starts the reversibility-export workflow (Step Functions in AWS, in the background locally). */
  startExport(input: ExportInput): Promise<{ executionName: string; status: string }>;
  /** The local identity provider (login, JWKS); absent in AWS, where Cognito issues the tokens. */
  identity?: LocalIdentity;
  /** Told of every request that failed on our side (the boundary logs it once). */
  onInternalError?: (error: unknown, request: { method: string; path: string }) => void;
}
