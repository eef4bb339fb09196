import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { addNagChecks } from '../../infra/nag.ts';
import { buildTestApp } from './build-app.ts';

/** Every acknowledgment recorded in the tree, with the construct path it applies to. */
function acknowledgments(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );
}

describe('cdk-nag AWS Solutions checks', () => {
  let app: App;

  beforeAll(() => {
    // Synth throws on any unacknowledged finding, so building the app is itself the first assertion.
    ({ app } = buildTestApp({ nag: true, alarmEmail: 'ops@example.com', clientAccountIds: ['222222222222'] }));
  });

  it('reports zero unacknowledged findings on the whole app', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.map(
      (violation) =>
        `${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });

  it('gives every acknowledgment a written reason', () => {
    const acks = acknowledgments(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) expect(ack.reason.length, `${ack.id} on ${ack.path}`).toBeGreaterThan(40);
  });

  it('acknowledges no rule wholesale: wildcard findings are acknowledged one resource or action at a time', () => {
    const wholesale = acknowledgments(app).filter((ack) => /AwsSolutions-IAM5$/.test(ack.id));
    expect(wholesale).toEqual([]);
  });

  it("justifies no wildcard by 'keys are per tenant': tenant keys are reached through ARNs bound to the session's tenant", () => {
    const perTenant = acknowledgments(app).filter((ack) => /are per tenant|per tenant and per/i.test(ack.reason));
    expect(perTenant).toEqual([]);
  });

  it('acknowledges stack-wide only object ARNs bound to the session tenant, whoever holds them', () => {
    const stackWide = acknowledgments(app).filter((ack) => !ack.path.includes('/'));
    expect(stackWide.length).toBeGreaterThan(0);
    for (const ack of stackWide) {
      expect(ack.id, ack.reason).toMatch(
        /^(Annotation::)?AwsSolutions-IAM5\[Resource::.*\/<aws:PrincipalTag\/tenant>\/\*\]$/,
      );
    }
  });

  it('fails the synth when a resource breaks a rule nobody acknowledged', () => {
    const unsafe = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    new Queue(new Stack(unsafe, 'Unsafe'), 'PlainQueue');
    addNagChecks(unsafe);
    expect(() => unsafe.synth()).toThrow(/AwsSolutions-SQS/);
  });
});
