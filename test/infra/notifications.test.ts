import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_ENV } from '#config';
import { CONSUMED_DETAIL_TYPES } from '#core/notifications/bus.ts';
import { buildTestApp } from './build-app.ts';

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation is untyped JSON; the assertions give it shape.
type Cfn = any;

let built: ReturnType<typeof buildTestApp>;
let template: Template;

beforeAll(() => {
  built = buildTestApp();
  template = Template.fromJSON(built.assembly.getStackByName('ReversaWorkflows').template);
});

const idOf = (construct: { node: { defaultChild?: unknown } }) =>
  built.workflows.getLogicalId(construct.node.defaultChild as never);

function statementsOf(roleLogicalId: string): Cfn[] {
  return Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Cfn>)
    .filter((p) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === roleLogicalId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

describe('the notifications construct', () => {
  it('routes the catalogue events of the Reversa bus to the delivery queue, with a dead letter for failed puts', () => {
    const n = built.workflows.notifications;
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.anyValue(),
      EventPattern: { source: ['reversa'], 'detail-type': [...CONSUMED_DETAIL_TYPES] },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [idOf(n.queue), 'Arn'] },
          DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }),
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
        }),
      ],
    });
    expect(CONSUMED_DETAIL_TYPES).toContain('reversa.restore-test.failed');
    expect(CONSUMED_DETAIL_TYPES).toContain('Reversa Dossier Published');
  });

  it('has an encrypted, TLS-only delivery queue that dead-letters after five receives, and reports partial batches', () => {
    const n = built.workflows.notifications;
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 360,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [idOf(n.deadLetterQueue.queue), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [idOf(n.queue), 'Arn'] },
      FunctionName: { Ref: idOf(n.deliver.function) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'Reversa notifications',
      KmsMasterKeyId: Match.anyValue(),
    });
  });

  it('binds the deliver function: queue URLs and topic in its environment, send/publish on exactly those', () => {
    const n = built.workflows.notifications;
    const fn = template.findResources('AWS::Lambda::Function')[idOf(n.deliver.function)] as Cfn;
    const env = fn.Properties.Environment.Variables;
    expect(env[CONFIG_ENV.notifyQueueUrl]).toEqual({ Ref: idOf(n.queue) });
    expect(env[CONFIG_ENV.notifyDeadLetterQueueUrl]).toEqual({ Ref: idOf(n.deadLetterQueue.queue) });
    expect(env[CONFIG_ENV.notifyEmailTopicArn]).toEqual({ Ref: idOf(n.emailTopic) });
    expect(env[CONFIG_ENV.tenantAccessRoleArn]).toBeDefined();

    const own = statementsOf(built.workflows.getLogicalId(n.deliver.function.role!.node.defaultChild as never));
    const send = own.find((s) => [s.Action].flat().includes('sqs:SendMessage'));
    expect(send.Resource).toEqual([
      { 'Fn::GetAtt': [idOf(n.queue), 'Arn'] },
      { 'Fn::GetAtt': [idOf(n.deadLetterQueue.queue), 'Arn'] },
    ]);
    const publish = own.find((s) => [s.Action].flat().includes('sns:Publish'));
    expect(publish.Resource).toEqual({ Ref: idOf(n.emailTopic) });
    // Tenant data (subscriptions, the log, channel secrets) is not on the function's own role.
    expect(own.flatMap((s) => [s.Action].flat())).not.toContain('secretsmanager:GetSecretValue');
    expect(own.flatMap((s) => [s.Action].flat())).not.toContain('dynamodb:PutItem');
  });

  it('lets the Persist and Record steps put events on the bus (they tell incidents and failures)', () => {
    const tenantRoles = Object.keys(template.findResources('AWS::IAM::Role')).filter(
      (id) => /Persist|Record/.test(id) && /Tenant/.test(id),
    );
    expect(tenantRoles.length).toBeGreaterThanOrEqual(2);
    for (const role of tenantRoles) {
      expect(statementsOf(role).flatMap((s) => [s.Action].flat())).toContain('events:PutEvents');
    }
  });

  it('exports the e-mail topic for notify add --email', () => {
    template.hasOutput('NotifyEmailTopicArn', { Value: { Ref: idOf(built.workflows.notifications.emailTopic) } });
  });
});
