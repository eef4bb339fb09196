import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './build-app.ts';

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation is untyped JSON; the assertions give it shape.
type Cfn = any;

let template: Template;
let built: ReturnType<typeof buildTestApp>;

beforeAll(() => {
  built = buildTestApp();
  template = Template.fromJSON(built.assembly.getStackByName('ReversaWorkflows').template);
});

const logicalIdOf = (construct: { node: { defaultChild?: unknown } }): string =>
  built.workflows.getLogicalId(construct.node.defaultChild as never);

/** Every statement of every policy attached to the role with this logical id. */
function statementsOf(roleLogicalId: string): Cfn[] {
  return Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Cfn>)
    .filter((p) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === roleLogicalId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

describe('the monthly SLA statements', () => {
  it('schedules the issuing function on the 2nd of each month at 06:00 UTC, with a dead-letter queue', () => {
    const fnId = logicalIdOf(built.workflows.slaStatements.function.function);
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule') as Record<string, Cfn>).filter(
      (s) => JSON.stringify(s.Properties.Target.Arn).includes(fnId),
    );

    expect(schedules).toHaveLength(1);
    expect(schedules[0].Properties.ScheduleExpression).toBe('cron(0 6 2 * ? *)');
    expect(schedules[0].Properties.Target.DeadLetterConfig.Arn).toBeDefined();
  });

  it('runs functions/sla/issue.ts with the names config.ts reads, 15 minutes at most', () => {
    const fn =
      template.findResources('AWS::Lambda::Function')[logicalIdOf(built.workflows.slaStatements.function.function)];

    expect(fn?.Properties.Timeout).toBe(900);
    expect(Object.keys(fn?.Properties.Environment.Variables ?? {})).toEqual(
      expect.arrayContaining(['POWERTOOLS_SERVICE_NAME']),
    );
    expect(fn?.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME).toBe('reversa-sla');
  });

  it('lets its own role read only the tenant index, and its tenant role write only sla/ and the audit log', () => {
    const sla = built.workflows.slaStatements.function;
    const own = statementsOf(logicalIdOf(sla.function.role as never));
    const tenantRole = sla.tenantAccess;
    expect(tenantRole).toBeDefined();
    const tenant = statementsOf(logicalIdOf(tenantRole!.role as never));

    const ownText = JSON.stringify(own);
    expect(ownText).toContain('TENANTS');
    expect(ownText).not.toContain('s3:PutObject');
    const puts = tenant.filter((s) => [s.Action].flat().includes('s3:PutObject'));
    const putTargets = JSON.stringify(puts.map((s) => s.Resource));
    expect(putTargets).toContain('/sla/');
    expect(putTargets).toContain('/audit/');
    expect(putTargets).not.toContain('/reports/');
  });
});
