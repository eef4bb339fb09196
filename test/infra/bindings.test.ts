import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { CONFIG_ENV } from '#config';
import { ConfigError } from '#core/errors.ts';
import {
  BindableBucket,
  BindableEventBus,
  BindableSigningKey,
  BindableTable,
  TenantSecrets,
} from '../../infra/bindings.ts';
import { asIBucket, asIEventBus, asITable } from '../../infra/cdk-types.ts';
import { ReversaFunction } from '../../infra/constructs/reversa-function.ts';
import { SigningKey } from '../../infra/constructs/signing-key.ts';
import { repoRoot } from '../../infra/paths.ts';
import { SESSION_TENANT, tenantItems } from '../../infra/tenant-grants.ts';

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation is untyped JSON; the assertions give it shape.
type Cfn = any;

const entry = join(repoRoot, 'test', 'infra', 'fixtures', 'handler.ts');

/** The statements of the policies attached to the role with logical id prefix `rolePrefix`. */
const statementsOf = (template: Template, rolePrefix: RegExp): Cfn[] =>
  Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy: Cfn) => policy.Properties.Roles.some((role: { Ref: string }) => rolePrefix.test(role.Ref)))
    .flatMap((policy: Cfn) => policy.Properties.PolicyDocument.Statement);

/** One function in a fresh stack, bound by `bindTo`: its env vars, its own role's and its tenant role's statements. */
function synthBound(bindTo: (fn: ReversaFunction, stack: Stack) => void) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Bound', { env: { account: '111111111111', region: 'eu-west-3' } });
  const fn = new ReversaFunction(stack, 'Fn', { entry });
  bindTo(fn, stack);
  const template = Template.fromStack(stack);
  const [lambda] = Object.values(template.findResources('AWS::Lambda::Function')) as Cfn[];
  return {
    template,
    fn,
    variables: lambda.Properties.Environment.Variables,
    own: statementsOf(template, /^FnRole/),
    tenant: statementsOf(template, /^FnTenantRole/),
  };
}

const table = (stack: Stack, id = 'Table') =>
  asITable(new Table(stack, id, { partitionKey: { name: 'pk', type: AttributeType.STRING } }));
const dataBucket = (stack: Stack) => new BindableBucket(asIBucket(new Bucket(stack, 'Data')), 'dataBucket', 'data');
const actionsOf = (statements: Cfn[]): string[] => statements.flatMap((s) => [s.Action].flat());
const withoutLogsAndTracing = (statements: Cfn[]) =>
  statements.filter((s) => !actionsOf([s]).every((a) => /^(logs|xray):/.test(a)));

describe('binding a function to a resource', () => {
  it('sets the variable config.ts reads and grants the access level to its own role for a table of no tenant', () => {
    const { variables, own, tenant } = synthBound((fn, stack) => {
      fn.bind(new BindableTable(table(stack), 'idempotencyTableName').items());
    });
    expect(variables[CONFIG_ENV.idempotencyTableName]).toEqual({ Ref: expect.stringMatching(/^Table/) });
    const [items, ...others] = withoutLogsAndTracing(own);
    expect(others).toEqual([]);
    expect(items.Action).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    ]);
    expect(items.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Table/), 'Arn'] });
    expect(tenant).toEqual([]);
    expect(variables[CONFIG_ENV.tenantAccessRoleArn]).toBeUndefined();
  });

  it("grants a tenant table's items to the tenant-access role under LeadingKeys, and the function only the right to assume it", () => {
    const { variables, own, tenant } = synthBound((fn, stack) => {
      fn.bind(new BindableTable(table(stack), 'tableName', { tenantPartitioned: true }).read());
    });
    expect(variables[CONFIG_ENV.tableName]).toEqual({ Ref: expect.stringMatching(/^Table/) });
    expect(variables[CONFIG_ENV.tenantAccessRoleArn]).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^FnTenantRole/), 'Arn'],
    });
    const [read, ...more] = tenant;
    expect(more).toEqual([]);
    expect(read.Action).toEqual([
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
      'dynamodb:ConditionCheckItem',
    ]);
    expect(read.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`T#${SESSION_TENANT}#*`] },
    });
    const [assume, ...others] = withoutLogsAndTracing(own);
    expect(others).toEqual([]);
    expect(assume).toMatchObject({
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^FnTenantRole/), 'Arn'] },
      Condition: {
        Null: { 'aws:RequestTag/tenant': 'false' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['tenant'] },
      },
    });
  });

  it('refuses a tenant grant that LeadingKeys cannot bound (Scan)', () => {
    expect(() => tenantItems(asITable({ tableArn: 'arn:aws:dynamodb:::table/t' } as never), ['dynamodb:Scan'])).toThrow(
      /dynamodb:Scan cannot be bounded by dynamodb:LeadingKeys/,
    );
  });

  it("grants bucket access per tenant prefix, one ARN each under the session's tenant, and names the bucket", () => {
    const { variables, own, tenant } = synthBound((fn, stack) => {
      const data = dataBucket(stack);
      fn.bind(data.read('runs/', 'reports/'), data.write('runs/'), data.list('runs/'));
    });
    expect(variables[CONFIG_ENV.dataBucket]).toEqual({ Ref: expect.stringMatching(/^Data/) });
    const objects = (action: string) =>
      JSON.stringify(tenant.find((s) => s.Action === action)?.Resource).match(
        /\/[a-z]+\/\$\{aws:PrincipalTag\/tenant\}\/\*/g,
      );
    expect(objects('s3:GetObject')).toEqual([`/runs/${SESSION_TENANT}/*`, `/reports/${SESSION_TENANT}/*`]);
    expect(objects('s3:PutObject')).toEqual([`/runs/${SESSION_TENANT}/*`]);
    expect(tenant.find((s) => s.Action === 's3:ListBucket')?.Condition).toEqual({
      StringLike: { 's3:prefix': [`runs/${SESSION_TENANT}/*`] },
    });
    expect(actionsOf(own).filter((a) => a.startsWith('s3:'))).toEqual([]);
  });

  it("refuses a prefix the boundary does not give tenants, and grants the provider's own area to the function's role", () => {
    expect(() => synthBound((fn, stack) => fn.bind(dataBucket(stack).read('archives/')))).toThrow(
      /'archives\/' is not a tenant prefix of the data bucket/,
    );
    const { own, tenant } = synthBound((fn, stack) => {
      fn.bind(
        dataBucket(stack).providerObjects(['s3:GetObject'], ['archives/'], 'the provider archive area for this test'),
      );
    });
    expect(tenant).toEqual([]);
    expect(JSON.stringify(own.find((s) => s.Action === 's3:GetObject')?.Resource)).toContain('/archives/*');
    expect(own.find((s) => s.Action === 's3:ListBucket')?.Condition).toEqual({
      StringLike: { 's3:prefix': ['archives/*'] },
    });
  });

  it('admits the tenant-access role, not the function role, to sign digests through the key policy', () => {
    const { template, tenant, own } = synthBound((fn, stack) => {
      const key = new SigningKey(stack, 'Key', { aliasName: 'alias/test-signing', description: 'test' });
      fn.bind(new BindableSigningKey(key, 'auditKeyId').sign());
    });
    expect(tenant.find((s) => s.Action === 'kms:Sign')?.Condition).toEqual({
      StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256', 'kms:MessageType': 'DIGEST' },
    });
    expect(tenant.find((s) => s.Action === 'kms:GetPublicKey')?.Condition).toBeUndefined();
    expect(actionsOf(own).filter((a) => a.startsWith('kms:'))).toEqual([]);
    const [key] = Object.values(template.findResources('AWS::KMS::Key')) as Cfn[];
    const admitted = key.Properties.KeyPolicy.Statement.find((s: Cfn) => s.Sid === 'OnlyListedRolesSign');
    expect(JSON.stringify(admitted.Condition.ArnLike)).toContain(':role/Bound-Fn-Tenant"');
    expect(JSON.stringify(admitted.Condition.ArnLike)).not.toContain(':role/Bound-FnRole');
  });

  it('lets a tenant session put only events of source reversa on the bus', () => {
    const { tenant } = synthBound((fn, stack) => {
      fn.bind(new BindableEventBus(asIEventBus(new EventBus(stack, 'Bus')), 'eventBusName').putEvents());
    });
    expect(tenant).toEqual([
      expect.objectContaining({
        Action: 'events:PutEvents',
        Condition: {
          Null: { 'events:source': 'false' },
          'ForAllValues:StringEquals': { 'events:source': ['reversa'] },
        },
      }),
    ]);
  });

  it("lets a tenant session read only secrets whose reversa:tenant tag equals the session's tenant", () => {
    const { tenant } = synthBound((fn, stack) => {
      fn.bind(new TenantSecrets(stack).read());
    });
    expect(tenant).toEqual([
      expect.objectContaining({
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Condition: { StringEquals: { 'secretsmanager:ResourceTag/reversa:tenant': SESSION_TENANT } },
      }),
    ]);
  });

  it("reads across tenants with the function's own role only the partitions it names", () => {
    const { own, tenant, fn } = synthBound((fn, stack) => {
      fn.bind(
        new BindableTable(table(stack), 'tableName', { tenantPartitioned: true }).crossTenantRead(
          ['dynamodb:Query'],
          ['TENANTS'],
        ),
      );
    });
    expect(fn.tenantAccess).toBeUndefined();
    expect(tenant).toEqual([]);
    expect(withoutLogsAndTracing(own)).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:Query',
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TENANTS'] } },
      }),
    ]);
  });

  it('refuses to bind one config key to two different resources', () => {
    expect(() =>
      synthBound((fn, stack) => {
        fn.bind(new BindableTable(table(stack), 'tableName').read());
        fn.bind(new BindableTable(table(stack, 'Other'), 'tableName').read());
      }),
    ).toThrow(ConfigError);
  });
});

describe('infra sources', () => {
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
    );

  it('spell no environment variable name: they come from config.ts CONFIG_ENV', () => {
    const spelled = sources(join(repoRoot, 'infra')).flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return Object.values(CONFIG_ENV)
        .filter((name) => text.includes(name))
        .map((name) => `${file.slice(repoRoot.length + 1)}: ${name}`);
    });
    expect(spelled).toEqual([]);
  });
});
