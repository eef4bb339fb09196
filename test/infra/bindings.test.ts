import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { CONFIG_ENV } from '#config';
import { ConfigError } from '#core/errors.ts';
import { BindableBucket, BindableSigningKey, BindableTable } from '../../infra/bindings.ts';
import { asIBucket, asITable } from '../../infra/cdk-types.ts';
import { ReversaFunction } from '../../infra/constructs/reversa-function.ts';
import { SigningKey } from '../../infra/constructs/signing-key.ts';
import { repoRoot } from '../../infra/paths.ts';

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation is untyped JSON; the assertions give it shape.
type Cfn = any;

const entry = join(repoRoot, 'test', 'infra', 'fixtures', 'handler.ts');

/** One function in a fresh stack, bound by `bindTo`; returns its env vars and its role's statements. */
function synthBound(bindTo: (fn: ReversaFunction, stack: Stack) => void) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Bound', { env: { account: '111111111111', region: 'eu-west-3' } });
  const fn = new ReversaFunction(stack, 'Fn', { entry });
  bindTo(fn, stack);
  const template = Template.fromStack(stack);
  const [lambda] = Object.values(template.findResources('AWS::Lambda::Function')) as Cfn[];
  const statements: Cfn[] = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy: Cfn) => policy.Properties.PolicyDocument.Statement,
  );
  return { template, stack, variables: lambda.Properties.Environment.Variables, statements };
}

const table = (stack: Stack, id = 'Table') =>
  asITable(new Table(stack, id, { partitionKey: { name: 'pk', type: AttributeType.STRING } }));

describe('binding a function to a resource', () => {
  it('sets the variable config.ts reads and grants the access level in one call', () => {
    const { variables, statements } = synthBound((fn, stack) => {
      fn.bind(new BindableTable(table(stack), 'tableName').read());
    });
    expect(Object.keys(variables)).toContain(CONFIG_ENV.tableName);
    expect(variables[CONFIG_ENV.tableName]).toEqual({ Ref: expect.stringMatching(/^Table/) });
    const read = statements.find((s) => [s.Action].flat().includes('dynamodb:Query'));
    expect(read.Action).toEqual([
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
      'dynamodb:ConditionCheckItem',
    ]);
    expect(read.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Table/), 'Arn'] });
    const actions: string[] = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((action) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(action))).toEqual([]);
  });

  it('grants bucket access per prefix, never on the whole bucket, and names the bucket', () => {
    const { variables, statements } = synthBound((fn, stack) => {
      const data = new BindableBucket(asIBucket(new Bucket(stack, 'Data')), 'dataBucket');
      fn.bind(data.read('runs/', 'reports/'), data.write('runs/'));
    });
    expect(variables[CONFIG_ENV.dataBucket]).toEqual({ Ref: expect.stringMatching(/^Data/) });
    const objects = (action: string) =>
      JSON.stringify(statements.find((s) => s.Action === action)?.Resource).match(/\/[a-z]+\/\*/g);
    expect(objects('s3:GetObject')).toEqual(['/runs/*', '/reports/*']);
    expect(objects('s3:PutObject')).toEqual(['/runs/*']);
  });

  it('admits the bound role to sign through the key policy, not only through its own policy', () => {
    const { template, statements } = synthBound((fn, stack) => {
      const key = new SigningKey(stack, 'Key', { aliasName: 'alias/test-signing', description: 'test' });
      fn.bind(new BindableSigningKey(key, 'auditKeyId').sign());
    });
    expect(statements.some((s) => [s.Action].flat().includes('kms:Sign'))).toBe(true);
    const [key] = Object.values(template.findResources('AWS::KMS::Key')) as Cfn[];
    const admitted = key.Properties.KeyPolicy.Statement.find((s: Cfn) => s.Sid === 'OnlyListedRolesSign');
    expect(JSON.stringify(admitted.Condition.ArnLike)).toContain(':role/Bound-FnRole');
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
