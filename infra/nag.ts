import { type App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** Runs the cdk-nag AWS Solutions pack on every synth; any unacknowledged finding fails the synth. */
export function addNagChecks(app: App): AwsSolutionsChecks {
  const checks = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(checks);
  return checks;
}

/**
 * Flattens a resolved CloudFormation value the way cdk-nag names findings (`<Logical.Arn>`, import names, `<AWS::Partition>`),
 * so an acknowledgment is computed from the same token the policy uses instead of a copied logical id.
 */
function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const value = node as Record<string, unknown>;
    const join = value['Fn::Join'] as [string, unknown[]] | undefined;
    if (join !== undefined) return join[1].map(flatten).join(join[0]);
    if ('Fn::Sub' in value) return flatten(value['Fn::Sub']);
    const getAtt = value['Fn::GetAtt'] as [unknown, unknown] | undefined;
    if (getAtt !== undefined) return `<${flatten(getAtt[0])}.${flatten(getAtt[1])}>`;
    if ('Fn::ImportValue' in value) return flatten(value['Fn::ImportValue']);
    if ('Ref' in value) return `<${flatten(value.Ref)}>`;
  }
  return JSON.stringify(node);
}

/**
 * Acknowledges the AwsSolutions-IAM5 finding for one wildcard resource (e.g. `${bucketArn}/inbox/*`) on `scope`
 * and its children. One resource at a time: a new wildcard elsewhere still fails the synth.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  const finding = flatten(Stack.of(scope).resolve(resource));
  acknowledgeOnce(scope, `AwsSolutions-IAM5[Resource::${finding}]`, reason);
}

/** What each construct already acknowledged (id and reason), so that grants sharing a wildcard record it once. */
const acknowledged = new WeakMap<IConstruct, Set<string>>();

function acknowledgeOnce(scope: IConstruct, id: string, reason: string): void {
  const done = acknowledged.get(scope) ?? new Set<string>();
  acknowledged.set(scope, done);
  const key = `${id}\n${reason}`;
  if (done.has(key)) return;
  done.add(key);
  Validations.of(scope).acknowledge({ id, reason });
}

/** Acknowledges the AwsSolutions-IAM5 finding for one wildcard action (e.g. `backup:List*`). */
export function acknowledgeWildcardAction(scope: IConstruct, action: string, reason: string): void {
  acknowledgeOnce(scope, `AwsSolutions-IAM5[Action::${action}]`, reason);
}
