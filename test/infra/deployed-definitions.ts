/**
 * The state machine definitions as Step Functions receives them from CloudFormation: each synthesized
 * DefinitionString with its DefinitionSubstitutions applied, the intrinsics in those substitutions (Fn::GetAtt,
 * Ref, Fn::ImportValue of the other stack's exports) resolved to values shaped exactly like the ones CloudFormation
 * returns (function ARNs, cluster ARNs, task definition ARNs with a revision, the bus name), in a fake account.
 * An intrinsic this resolver does not know fails loudly, so a new kind of substitution is resolved here, not skipped.
 */
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';

export const ACCOUNT = '111111111111';
export const REGION = 'eu-west-3';

interface Template {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
}

export interface DeployedDefinition {
  stackName: string;
  logicalId: string;
  /** StateMachineName of the resource. */
  name: string;
  /** The definition text after substitution (what CreateStateMachine gets). */
  text: string;
}

/** A name CloudFormation would generate for an unnamed resource: `<stack>-<logical id>-<12 random characters>`. */
function generatedName(stackName: string, logicalId: string): string {
  return `${`${stackName}-${logicalId}`.slice(0, 50)}-A1B2C3D4E5F6`;
}

function resolver(stacks: ReadonlyMap<string, Template>): (stackName: string, value: unknown) => string {
  const exports = new Map<string, { stackName: string; value: unknown }>();
  for (const [stackName, template] of stacks) {
    for (const output of Object.values(template.Outputs ?? {})) {
      if (typeof output.Export?.Name === 'string') exports.set(output.Export.Name, { stackName, value: output.Value });
    }
  }

  const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

  /** Ref or Fn::GetAtt of one resource, as CloudFormation documents each type's return values. */
  function attribute(stackName: string, logicalId: string, attributeName: 'Ref' | string): string {
    const resource = stacks.get(stackName)?.Resources[logicalId];
    if (resource === undefined) throw new Error(`${stackName} has no resource ${logicalId}`);
    const p = resource.Properties ?? {};
    const named = (key: string) =>
      typeof p[key] === 'string' ? (p[key] as string) : generatedName(stackName, logicalId);
    const key = `${resource.Type} ${attributeName}`;
    switch (key) {
      case 'AWS::Lambda::Function Ref':
        return named('FunctionName');
      case 'AWS::Lambda::Function Arn':
        return arn('lambda', `function:${named('FunctionName')}`);
      case 'AWS::ECS::Cluster Arn':
        return arn('ecs', `cluster/${named('ClusterName')}`);
      case 'AWS::ECS::TaskDefinition Ref':
      case 'AWS::ECS::TaskDefinition TaskDefinitionArn':
        return arn('ecs', `task-definition/${named('Family')}:1`);
      case 'AWS::Events::EventBus Ref':
      case 'AWS::Events::EventBus Name':
        return named('Name');
      case 'AWS::Events::EventBus Arn':
        return arn('events', `event-bus/${named('Name')}`);
      case 'AWS::SNS::Topic Ref':
        return arn('sns', named('TopicName'));
      case 'AWS::StepFunctions::StateMachine Ref':
        return arn('states', `stateMachine:${named('StateMachineName')}`);
      default:
        throw new Error(`deployed-definitions.ts cannot resolve ${key} (${stackName}/${logicalId}): add it`);
    }
  }

  function resolve(stackName: string, value: unknown): string {
    if (typeof value === 'string') return value;
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') {
      const pseudo: Record<string, string> = {
        'AWS::AccountId': ACCOUNT,
        'AWS::Region': REGION,
        'AWS::Partition': 'aws',
        'AWS::URLSuffix': 'amazonaws.com',
        'AWS::StackName': stackName,
      };
      return pseudo[v.Ref] ?? attribute(stackName, v.Ref, 'Ref');
    }
    if (Array.isArray(v['Fn::GetAtt'])) {
      const [logicalId, name] = v['Fn::GetAtt'] as [string, string];
      return attribute(stackName, logicalId, name);
    }
    if (v['Fn::ImportValue'] !== undefined) {
      const name = resolve(stackName, v['Fn::ImportValue']);
      const exported = exports.get(name);
      if (exported === undefined) throw new Error(`no stack of the app exports ${name}`);
      return resolve(exported.stackName, exported.value);
    }
    if (Array.isArray(v['Fn::Join'])) {
      const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map((part) => resolve(stackName, part)).join(separator);
    }
    throw new Error(`deployed-definitions.ts cannot resolve ${JSON.stringify(value)} in ${stackName}`);
  }
  return resolve;
}

/** CloudFormation's substitution: every `${Key}` of the map replaced by its value, nothing else touched. */
export function applySubstitutions(text: string, substitutions: Readonly<Record<string, string>>): string {
  let out = text;
  for (const [key, value] of Object.entries(substitutions)) out = out.split(`\${${key}}`).join(value);
  return out;
}

/** Resolves a value of one of the assembly's stacks (a string or an intrinsic) as CloudFormation would here. */
export function appResolver(assembly: CloudAssembly): (stackName: string, value: unknown) => string {
  return resolver(new Map(assembly.stacks.map((s) => [s.stackName, s.template as Template])));
}

/** Every AWS::StepFunctions::StateMachine of the assembly, substituted as CloudFormation would. */
export function deployedDefinitions(assembly: CloudAssembly): DeployedDefinition[] {
  const stacks = new Map(assembly.stacks.map((s) => [s.stackName, s.template as Template]));
  const resolve = resolver(stacks);
  const out: DeployedDefinition[] = [];
  for (const [stackName, template] of stacks) {
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
      const p = resource.Properties ?? {};
      if (typeof p.DefinitionString !== 'string') {
        throw new Error(
          `${stackName}/${logicalId}: expected the definition inline as a string (DefinitionBody.fromString)`,
        );
      }
      const substitutions = Object.fromEntries(
        Object.entries((p.DefinitionSubstitutions ?? {}) as Record<string, unknown>).map(([k, v]) => [
          k,
          resolve(stackName, v),
        ]),
      );
      out.push({
        stackName,
        logicalId,
        name: String(p.StateMachineName),
        text: applySubstitutions(p.DefinitionString, substitutions),
      });
    }
  }
  return out;
}
