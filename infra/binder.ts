import type { Role } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ConfigError } from '#core/errors.ts';
import { type Binding, environmentVariables, type ReversaEnvironment } from './bindings.ts';
import { TenantAccessRole } from './constructs/tenant-access-role.ts';
import { applyGrants, type GrantTarget } from './grants.ts';
import { assumeTenantAccess } from './tenant-grants.ts';

/** Who bindings are applied to: a function, the restic task. */
export interface BinderOwner {
  /** Path used in error messages. */
  readonly path: string;
  /** Receives `grants` (its role, or a construct acting through it); acknowledgments sit on it. */
  readonly target: GrantTarget;
  /** The role its code runs with: what the tenant-access role trusts. */
  readonly role: Role;
  /** Sets one environment variable of its runtime. */
  addEnvironment(name: string, value: string): void;
  /**
   * Where its tenant-access role is created, and under which id. Beside the owner rather than inside it, so that the
   * owner's own acknowledgments (X-Ray's `Resource::*`) do not cover the tenant role's findings.
   */
  readonly tenantRole: { readonly scope: Construct; readonly id: string; readonly roleName: string };
}

/**
 * Applies bindings to an owner: names to its environment (one name per config key), `grants` to its role, tenant
 * grants to its tenant-access role, created on the first one with its ARN (config.ts `tenantAccessRoleArn`) and the right to
 * assume it (sts:AssumeRole + sts:TagSession, with the `tenant` tag and no other).
 */
export class Binder {
  private readonly names: Record<string, string> = {};
  private tenant: TenantAccessRole | undefined;

  constructor(private readonly owner: BinderOwner) {}

  /** The tenant-access role, once a tenant grant was bound. */
  get tenantAccess(): TenantAccessRole | undefined {
    return this.tenant;
  }

  bind(binding: Binding): void {
    this.setNames(binding.environment);
    applyGrants(this.owner.target, binding.grants);
    const tenantGrants = binding.tenantGrants ?? [];
    if (tenantGrants.length === 0) {
      binding.admit?.(this.owner.role);
      return;
    }
    const tenant = this.tenantAccessRole();
    tenant.addGrants(tenantGrants);
    binding.admit?.(tenant.role);
  }

  setNames(environment: ReversaEnvironment): void {
    for (const [key, value] of Object.entries(environment) as [string, string][]) {
      const known = this.names[key];
      if (known !== undefined && known !== value) {
        throw new ConfigError('ConflictingBinding', `${this.owner.path}: ${key} is bound to two different resources`);
      }
      this.names[key] = value;
    }
    for (const [name, value] of Object.entries(environmentVariables(environment))) {
      this.owner.addEnvironment(name, value);
    }
  }

  private tenantAccessRole(): TenantAccessRole {
    if (this.tenant === undefined) {
      const { scope, id, roleName } = this.owner.tenantRole;
      this.tenant = new TenantAccessRole(scope, id, {
        assumedBy: this.owner.role,
        roleName,
        description: `Tenant-scoped access of ${this.owner.path.split('/').pop() ?? 'a function'} (session tag tenant=<id>)`,
      });
      this.setNames({ tenantAccessRoleArn: this.tenant.roleArn });
      applyGrants(this.owner.target, [assumeTenantAccess(this.tenant.roleArn)]);
    }
    return this.tenant;
  }
}
