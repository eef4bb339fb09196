import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditDynamoKeys } from '#adapters/aws/dynamo-audit-store.ts';
import { dossierKeys } from '#adapters/aws/dynamo-dossier-store.ts';
import { findingKeys } from '#adapters/aws/dynamo-finding-store.ts';
import { keys } from '#adapters/aws/dynamo-keys.ts';
import { restoreTestKeys } from '#adapters/aws/dynamo-restore-test-store.ts';
import { CONFIG_ENV } from '#config';
import { TENANT_ID_PATTERN } from '#core/strategy/schema.ts';
import { type BucketRole, TENANT_OBJECT_PREFIXES } from '#core/tenancy/boundary.ts';
import type { ReversaFunction } from '../../infra/constructs/reversa-function.ts';
import type { TenantAccessRole } from '../../infra/constructs/tenant-access-role.ts';
import {
  ACCOUNT_ROUTES,
  TENANT_INDEX,
  TENANT_SEEN_RESOURCES,
  TENANT_STATES,
  TENANT_STRATEGIES,
} from '../../infra/partitions.ts';
import {
  SESSION_TENANT,
  SESSION_TENANT_PARTITIONS,
  TENANT_ITEM_ACTIONS,
  tenantSessionConditions,
} from '../../infra/tenant-grants.ts';
import { buildTestApp } from './build-app.ts';
import { type Cfn, resourceLabel, statementsOfRole, type TemplateJson } from './iam-template.ts';

let built: ReturnType<typeof buildTestApp>;
let workflows: TemplateJson;
let stateful: TemplateJson;

beforeAll(() => {
  built = buildTestApp({ restoreSourceBuckets: ['acme-backups'], restoreSandboxBuckets: ['acme-sandboxes'] });
  workflows = built.assembly.getStackByName('ReversaWorkflows').template as TemplateJson;
  stateful = built.assembly.getStackByName('ReversaStateful').template as TemplateJson;
});

const logicalIdOf = (construct: { node: { defaultChild?: unknown } }): string =>
  built.workflows.getLogicalId(construct.node.defaultChild as never);

/** IAM's string patterns: `*` any run of characters (`/` and `#` included), `?` one character. */
function iamLike(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 's').test(value);
}
/** A pattern as IAM evaluates it for a session tagged `tenant`. */
const forTenant = (pattern: string, tenant: string) => pattern.replaceAll(SESSION_TENANT, tenant);

/** Every function with the tenant role it assumes, by a readable name; the restic task as `restore.restic`. */
function tenantServing(): {
  name: string;
  owner: string;
  tenant: TenantAccessRole | undefined;
  fn?: ReversaFunction;
}[] {
  const { functions, restoreTests, dossierExport, notifications } = built.workflows;
  const all: [string, ReversaFunction][] = [
    ...Object.entries(functions),
    ['notify.deliver', notifications.deliver],
    ...Object.entries(restoreTests.functions).map(([k, fn]): [string, ReversaFunction] => [`restore.${k}`, fn]),
    ...Object.entries(dossierExport.functions).map(([k, fn]): [string, ReversaFunction] => [`dossier.${k}`, fn]),
    ['sla.issue', built.workflows.slaStatements.function],
  ];
  return [
    ...all.map(([name, fn]) => ({ name, owner: logicalIdOf(fn.role), tenant: fn.tenantAccess, fn })),
    {
      name: 'restore.restic',
      owner: logicalIdOf(restoreTests.restic.taskDefinition.taskRole as never),
      tenant: restoreTests.resticTenantAccess,
    },
  ];
}

const tenantRoleIds = (): Set<string> =>
  new Set(tenantServing().flatMap(({ tenant }) => (tenant === undefined ? [] : [logicalIdOf(tenant.role)])));

/** Every Allow statement of every identity policy of a template, with the roles it applies to. */
function identityStatements(template: TemplateJson): { role: string; statement: Cfn }[] {
  return Object.entries(template.Resources).flatMap(([id, resource]) => {
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      const roles: string[] = (resource.Properties.Roles ?? []).map((r: { Ref?: string }) => r.Ref ?? '?');
      const attachedTo = roles.length > 0 ? roles : [id];
      return resource.Properties.PolicyDocument.Statement.flatMap((statement: Cfn) =>
        attachedTo.map((role) => ({ role, statement })),
      );
    }
    if (resource.Type === 'AWS::IAM::Role') {
      return (resource.Properties.Policies ?? []).flatMap((p: Cfn) =>
        p.PolicyDocument.Statement.map((statement: Cfn) => ({ role: id, statement })),
      );
    }
    return [];
  });
}

type Target =
  | { kind: 'table' }
  | { kind: 'objects'; bucket: BucketRole; path: string }
  | { kind: 'bucket'; bucket: BucketRole }
  | { kind: 'secrets' }
  | { kind: 'key' }
  | { kind: 'any' }
  | { kind: 'other' };

const bucketLabels: Record<string, BucketRole> = {
  '<bucket>': 'data',
  '<audit-bucket>': 'audit',
  '<dossier-bucket>': 'dossier',
};

/** The session tenant as resource labels show it (`${aws:PrincipalTag/tenant}` holds a `/`: labels split cleanly). */
const TENANT = '<tenant>';

/** What a statement's resource is, for the isolation rules: the main table, a Reversa bucket (or its objects), … */
function targetOf(resource: Cfn): Target {
  const label = resourceLabel(resource);
  if (label === '*') return { kind: 'any' };
  if (label === '<table>') return { kind: 'table' };
  if (label === '<audit-key>' || label === '<dossier-key>') return { kind: 'key' };
  if (label.includes(':secretsmanager:')) return { kind: 'secrets' };
  for (const [prefix, bucket] of Object.entries(bucketLabels)) {
    if (label === prefix) return { kind: 'bucket', bucket };
    if (label.startsWith(`${prefix}/`)) return { kind: 'objects', bucket, path: label.slice(prefix.length + 1) };
  }
  return { kind: 'other' };
}

/**
 * What the functions' own roles keep of Reversa's data, and why: the reads that span tenants on purpose, and the
 * provider's archive area. Anything else on the table, the buckets or the secrets outside a tenant role is reported.
 */
const OWN_ROLE_ALLOWLIST: Record<string, { table?: string[]; objects?: string[]; listing?: string[]; why: string }> = {
  sweep: { table: [TENANT_INDEX, TENANT_STATES], why: 'lists tenants and their deadlines to start due verifications' },
  backupEvent: { table: [ACCOUNT_ROUTES], why: 'routes an AWS Backup event to its tenant by account' },
  reconcile: { table: [TENANT_INDEX, TENANT_STRATEGIES], why: "lists tenants and reads each one's AWS accounts" },
  'sla.issue': { table: [TENANT_INDEX], why: "lists tenants to issue each one's SLA statement" },
  'restore.restoreS3Archive': {
    objects: ['archives/*'],
    listing: ['archives/*'],
    why: "archives/ is the provider's archive area of the data bucket, like a restoreSourceBuckets bucket",
  },
};
/** Tenant-role grants no prefix condition can narrow, and why. */
const TENANT_ROLE_ALLOWLIST: Record<string, { bucketActions: string[]; why: string }> = {
  'dossier.abort': {
    bucketActions: ['s3:ListBucketMultipartUploads'],
    why: 'takes no s3:prefix; shows keys and upload ids of uploads in progress, never content',
  },
};

/** Each isolation rule a statement breaks, as a readable line (empty: none). */
function violations(): string[] {
  const names = new Map<string, string>();
  for (const { name, owner, tenant } of tenantServing()) {
    names.set(owner, name);
    if (tenant !== undefined) names.set(logicalIdOf(tenant.role), `${name} (tenant role)`);
  }
  const tenantRoles = tenantRoleIds();
  const found: string[] = [];
  for (const template of [workflows, stateful]) {
    for (const { role, statement } of identityStatements(template)) {
      if (statement.Effect !== 'Allow') continue;
      const actions: string[] = [statement.Action].flat();
      const isTenantRole = tenantRoles.has(role);
      const name = names.get(role) ?? role;
      const owner = name.replace(/ \(tenant role\)$/, '');
      const say = (why: string) =>
        found.push(
          `${name}: ${actions.join(',')} on ${[statement.Resource].flat().map(resourceLabel).join(',')}: ${why}`,
        );
      for (const resource of [statement.Resource].flat()) {
        const target = targetOf(resource);
        if (target.kind === 'table') {
          const leading: string[] | undefined =
            statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
          if (leading === undefined) say('no dynamodb:LeadingKeys');
          else if (isTenantRole) {
            if (JSON.stringify(leading) !== JSON.stringify([SESSION_TENANT_PARTITIONS]))
              say('LeadingKeys not the session tenant');
            if (actions.some((a) => !(TENANT_ITEM_ACTIONS as readonly string[]).includes(a))) say('not an item action');
          } else {
            const allowed = OWN_ROLE_ALLOWLIST[owner]?.table;
            if (allowed === undefined || JSON.stringify(leading) !== JSON.stringify(allowed))
              say('cross-tenant read not allowlisted');
            if (actions.some((a) => a !== 'dynamodb:Query' && a !== 'dynamodb:GetItem')) say('cross-tenant write');
          }
        } else if (target.kind === 'objects') {
          if (isTenantRole) {
            const [prefix, tenant, ...rest] = target.path.split('/');
            const underTenantPrefix =
              TENANT_OBJECT_PREFIXES[target.bucket].includes(prefix ?? '') &&
              tenant === TENANT &&
              rest.join('/') === '*';
            if (!underTenantPrefix) say(`objects ${target.path} not under a tenant prefix`);
          } else if (!(OWN_ROLE_ALLOWLIST[owner]?.objects ?? []).includes(target.path) || target.bucket !== 'data') {
            say(`objects ${target.path} outside a tenant role`);
          }
        } else if (target.kind === 'bucket') {
          const prefixes: string[] | undefined = statement.Condition?.StringLike?.['s3:prefix']?.map(resourceLabel);
          const listsOnly = actions.every((a) => a === 's3:ListBucket');
          if (isTenantRole) {
            const unscoped = TENANT_ROLE_ALLOWLIST[owner]?.bucketActions ?? [];
            if (actions.every((a) => unscoped.includes(a))) continue;
            const scoped = (prefixes ?? []).every((p) => {
              const [prefix, tenant, rest] = p.split('/');
              return TENANT_OBJECT_PREFIXES[target.bucket].includes(prefix ?? '') && tenant === TENANT && rest === '*';
            });
            if (!listsOnly || prefixes === undefined || prefixes.length === 0 || !scoped)
              say('bucket action not limited to tenant prefixes');
          } else if (!listsOnly || JSON.stringify(prefixes) !== JSON.stringify(OWN_ROLE_ALLOWLIST[owner]?.listing)) {
            say('bucket action outside a tenant role');
          }
        } else if (target.kind === 'secrets') {
          const tag = statement.Condition?.StringEquals?.['secretsmanager:ResourceTag/reversa:tenant'];
          if (!isTenantRole || tag !== SESSION_TENANT) say('secrets not limited to the session tenant tag');
        } else if (target.kind === 'key') {
          const conditions = statement.Condition?.StringEquals;
          if (actions.includes('kms:Sign') && (!isTenantRole || conditions?.['kms:MessageType'] !== 'DIGEST'))
            say('signing outside a tenant role or not of digests');
        } else if (target.kind === 'any') {
          const risky = actions.filter(
            (a) => /^(dynamodb|s3|kms):/.test(a) || /^secretsmanager:(Get|Describe)/.test(a),
          );
          if (risky.length > 0) say(`data actions on *: ${risky.join(',')}`);
          if (actions.includes('secretsmanager:ListSecrets') && !isTenantRole) say('ListSecrets outside a tenant role');
        }
      }
    }
  }
  return found;
}

describe('tenant isolation in the synthesized templates', () => {
  it('reports no IAM statement on the table without LeadingKeys, or on bucket objects outside a tenant prefix, apart from the allowlist', () => {
    expect(violations()).toEqual([]);
  });

  it('catches a statement that breaks the rules: the walk is not vacuous', () => {
    const statements = identityStatements(workflows);
    for (const role of tenantRoleIds())
      expect(
        statements.some((s) => s.role === role),
        role,
      ).toBe(true);
    // Drop the LeadingKeys of one tenant statement and widen one object ARN: both must be reported.
    const table = statements.find(
      ({ statement }) =>
        statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']?.[0] === SESSION_TENANT_PARTITIONS,
    );
    const objects = statements.find(({ statement }) =>
      JSON.stringify(statement.Resource).includes(`/runs/${SESSION_TENANT}/*`),
    );
    const savedCondition = table?.statement.Condition;
    const savedResource = objects?.statement.Resource;
    try {
      delete table?.statement.Condition;
      objects!.statement.Resource = JSON.parse(
        JSON.stringify(savedResource).replace(`/runs/${SESSION_TENANT}/*`, `/*/${SESSION_TENANT}/*`),
      );
      const found = violations();
      expect(found.some((line) => line.includes('no dynamodb:LeadingKeys'))).toBe(true);
      expect(found.some((line) => line.includes(`objects */${TENANT}/* not under a tenant prefix`))).toBe(true);
    } finally {
      table!.statement.Condition = savedCondition;
      objects!.statement.Resource = savedResource;
    }
  });

  it('gives every function but the sweep a tenant role, the restic task one too, and the sweep none', () => {
    const without = tenantServing()
      .filter(({ tenant }) => tenant === undefined)
      .map(({ name }) => name);
    expect(without).toEqual(['sweep']);
    expect(tenantRoleIds().size).toBe(tenantServing().length - 1);
  });

  it('trusts exactly the role of the function it serves, for AssumeRole and TagSession with one tenant tag', () => {
    for (const { name, owner, tenant } of tenantServing()) {
      if (tenant === undefined) continue;
      const trust = workflows.Resources[logicalIdOf(tenant.role)]?.Properties.AssumeRolePolicyDocument;
      expect(trust.Statement, name).toEqual([
        {
          Effect: 'Allow',
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Principal: { AWS: { 'Fn::GetAtt': [owner, 'Arn'] } },
          Condition: tenantSessionConditions(),
        },
      ]);
    }
  });

  it('requires a tenant tag, alone, that looks like a tenant id as far as IAM patterns can say', () => {
    expect(tenantSessionConditions()).toMatchObject({
      Null: { 'aws:RequestTag/tenant': 'false' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['tenant'] },
      StringLike: { 'aws:RequestTag/tenant': '?*' },
    });
  });

  it('accepts exactly the tenant ids among the ASCII tag values STS accepts (property)', () => {
    const conditions = tenantSessionConditions() as Cfn;
    const accepts = (value: string) =>
      iamLike(conditions.StringLike['aws:RequestTag/tenant'], value) &&
      !conditions.StringNotLike['aws:RequestTag/tenant'].some((pattern: string) => iamLike(pattern, value));
    // STS tag values: letters, digits, spaces and _ . : / = + - @ (ASCII part).
    const stsAscii = fc.string({
      unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.:/=+-@'),
      maxLength: 80,
    });
    fc.assert(
      fc.property(fc.oneof(stsAscii, fc.stringMatching(TENANT_ID_PATTERN)), (value) => {
        expect(accepts(value), JSON.stringify(value)).toBe(TENANT_ID_PATTERN.test(value));
      }),
      { numRuns: 2000 },
    );
    expect(accepts('a'.repeat(63))).toBe(true);
    expect(accepts('a'.repeat(64))).toBe(false);
  });

  it('keeps every trust policy far below the 2,048 characters IAM allows, with real-length role ARNs', () => {
    const realistic = `arn:aws:iam::111111111111:role/${'x'.repeat(64)}`;
    for (const { name, tenant } of tenantServing()) {
      if (tenant === undefined) continue;
      const trust = JSON.stringify(
        workflows.Resources[logicalIdOf(tenant.role)]?.Properties.AssumeRolePolicyDocument,
        (_, v) => (v?.['Fn::GetAtt'] ? realistic : v),
      );
      expect(trust.length, name).toBeLessThan(1200);
    }
  });

  it("names each function's own tenant role in REVERSA_TENANT_ACCESS_ROLE_ARN and lets it assume that role only", () => {
    const tenantArns = new Set([...tenantRoleIds()].map((id) => JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] })));
    for (const { name, owner, tenant, fn } of tenantServing()) {
      const assumed = statementsOfRole(workflows, owner)
        .filter((s) => [s.Action].flat().includes('sts:AssumeRole'))
        .flatMap((s) => [s.Resource].flat().map((r: Cfn) => JSON.stringify(r)))
        .filter((arn) => tenantArns.has(arn));
      const own = tenant === undefined ? [] : [JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(tenant.role), 'Arn'] })];
      expect(assumed, name).toEqual(own);
      if (fn === undefined) continue;
      const variables = workflows.Resources[logicalIdOf(fn.function)]?.Properties.Environment.Variables;
      const arn = variables[CONFIG_ENV.tenantAccessRoleArn];
      expect(arn === undefined ? [] : [JSON.stringify(arn)], name).toEqual(own);
    }
  });

  it('grants signing only for digests, and the public key in a statement of its own', () => {
    for (const { tenant } of tenantServing()) {
      if (tenant === undefined) continue;
      for (const statement of statementsOfRole(workflows, logicalIdOf(tenant.role))) {
        const actions: string[] = [statement.Action].flat();
        if (actions.includes('kms:Sign')) {
          expect(actions).toEqual(['kms:Sign']);
          expect(statement.Condition).toEqual({
            StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256', 'kms:MessageType': 'DIGEST' },
          });
        }
        if (actions.includes('kms:GetPublicKey')) expect(statement.Condition).toBeUndefined();
      }
    }
  });

  it("lets the dossier bucket's delete-marker exemption name the Abort's tenant role, which is the only one deleting there", () => {
    const abort = built.workflows.dossierExport.functions.abort.tenantAccess as TenantAccessRole;
    expect((abort.role.node.defaultChild as { roleName?: string }).roleName).toBe(
      'ReversaWorkflows-DossierAbort-Tenant',
    );
    const deleting = tenantServing().filter(({ tenant }) =>
      tenant === undefined
        ? false
        : statementsOfRole(workflows, logicalIdOf(tenant.role)).some(
            (s) =>
              [s.Action].flat().includes('s3:DeleteObject') && JSON.stringify(s.Resource).includes('DossierBucketArn'),
          ),
    );
    expect(deleting.map(({ name }) => name)).toEqual(['dossier.abort']);
  });
});

describe('the partitions the templates name', () => {
  const tenantPartitions = (tenant: string) => [
    keys.resourcePk(tenant, 'arn:aws:rds:eu-west-3:111122223333:db:orders'),
    keys.seenPk(tenant),
    keys.strategyPk(tenant),
    keys.reportPk(tenant),
    keys.tenantStatePk(tenant),
    auditDynamoKeys.pk(tenant),
    dossierKeys.pk(tenant),
    findingKeys.pk(tenant),
    restoreTestKeys.pk(tenant),
  ];

  it("let a tenant session reach every partition of its tenant and none of another's or of the indexes", () => {
    const pattern = forTenant(SESSION_TENANT_PARTITIONS, 'acme');
    for (const pk of tenantPartitions('acme')) expect(iamLike(pattern, pk), pk).toBe(true);
    for (const pk of [
      ...tenantPartitions('acme-corp'),
      ...tenantPartitions('acm'),
      keys.tenantsPk,
      keys.accountRoutePk('111122223333'),
    ]) {
      expect(iamLike(pattern, pk), pk).toBe(false);
    }
  });

  it('name exactly the cross-tenant partitions adapters/aws/dynamo-keys.ts builds', () => {
    expect(iamLike(TENANT_INDEX, keys.tenantsPk)).toBe(true);
    expect(iamLike(ACCOUNT_ROUTES, keys.accountRoutePk('111122223333'))).toBe(true);
    const only = (pattern: string, wanted: (tenant: string) => string) => {
      for (const tenant of ['acme', 'globex-2']) {
        for (const pk of tenantPartitions(tenant))
          expect(iamLike(pattern, pk), `${pattern} ~ ${pk}`).toBe(pk === wanted(tenant));
      }
    };
    only(TENANT_STATES, keys.tenantStatePk);
    only(TENANT_STRATEGIES, keys.strategyPk);
    only(TENANT_SEEN_RESOURCES, keys.seenPk);
  });

  it('over-match, as IAM patterns must, a resource partition whose resource id ends like the kind they read', () => {
    // `*` crosses `#`: the sweep's T#*#STATE also matches T#acme#R#x#STATE (documented in docs/deploy.md).
    expect(iamLike(TENANT_STATES, keys.resourcePk('acme', 'x#STATE'))).toBe(true);
  });
});
