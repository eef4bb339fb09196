import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReversaFunction } from '../../infra/constructs/reversa-function.ts';
import { repoRoot } from '../../infra/paths.ts';

const environment = {
  tableName: 'main',
  idempotencyTableName: 'idem',
  dataBucket: 'data',
  eventBusName: 'reversa',
  verifyStateMachineArn: 'arn:aws:states:eu-west-3:111111111111:stateMachine:verify',
  auditBucket: 'audit',
  auditKeyId: 'audit-key',
  dossierBucket: 'dossier',
  dossierKeyId: 'dossier-key',
};

describe('ReversaFunction defaults', () => {
  let template: Template;

  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'FunctionDefaults');
    const entry = join(repoRoot, 'test', 'infra', 'fixtures', 'handler.ts');
    new ReversaFunction(stack, 'Defaults', { entry, environment });
    new ReversaFunction(stack, 'Tuned', {
      entry,
      environment,
      memorySize: 2048,
      timeout: Duration.minutes(5),
      serviceName: 'reversa-ingest',
      extraEnvironment: { REVERSA_TABLE: 'must-not-win', FEATURE: 'on' },
    });
    template = Template.fromStack(stack);
  });

  const functionNamed = (prefix: string) => {
    const found = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(prefix));
    if (found === undefined) throw new Error(`no function ${prefix}`);
    return found[1].Properties;
  };

  it('uses 512 MiB, 30 s, the handler export and the Powertools defaults', () => {
    const fn = functionNamed('Defaults');
    expect(fn).toMatchObject({ MemorySize: 512, Timeout: 30, Handler: 'index.handler' });
    expect(fn.Environment.Variables).toMatchObject({
      REVERSA_TABLE: 'main',
      REVERSA_IDEMPOTENCY_TABLE: 'idem',
      REVERSA_DATA_BUCKET: 'data',
      REVERSA_EVENT_BUS: 'reversa',
      REVERSA_VERIFY_STATE_MACHINE_ARN: environment.verifyStateMachineArn,
      REVERSA_AUDIT_BUCKET: 'audit',
      REVERSA_AUDIT_KEY_ID: 'audit-key',
      REVERSA_DOSSIER_BUCKET: 'dossier',
      REVERSA_DOSSIER_KEY_ID: 'dossier-key',
      POWERTOOLS_SERVICE_NAME: 'reversa',
      POWERTOOLS_METRICS_NAMESPACE: 'Reversa',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('applies tuning props but never lets extra env vars override the reserved ones', () => {
    const fn = functionNamed('Tuned');
    expect(fn).toMatchObject({ MemorySize: 2048, Timeout: 300 });
    expect(fn.Environment.Variables).toMatchObject({
      REVERSA_TABLE: 'main',
      FEATURE: 'on',
      POWERTOOLS_SERVICE_NAME: 'reversa-ingest',
    });
  });

  it('keeps logs three months and lets the role write only to its own log group', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement,
    );
    const logStatements = statements.filter((statement) => String(statement.Action).includes('logs:'));
    expect(logStatements).toHaveLength(2);
    for (const statement of logStatements) {
      expect(statement.Action).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      expect(statement.Resource['Fn::GetAtt'][1]).toBe('Arn');
    }
  });
});
