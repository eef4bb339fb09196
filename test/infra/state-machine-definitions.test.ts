/**
 * The three workflows as Step Functions receives them (issue 11 §3): the synthesized DefinitionString after
 * CloudFormation applies DefinitionSubstitutions (intrinsics resolved to ARNs shaped as CloudFormation returns them,
 * test/infra/deployed-definitions.ts), checked as CreateStateMachine would: no placeholder left, asl-validator with
 * its ARN and path checks, every Task's Resource an integration ARN, every function/cluster/task definition/bus it
 * names well formed and part of the app, every payload path present in the state's input (test/infra/asl-paths.ts).
 */
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { allStates } from '#local/asl-runner.ts';
import { missingPayloadPaths } from './asl-paths.ts';
import { buildTestApp } from './build-app.ts';
import { ACCOUNT, appResolver, type DeployedDefinition, deployedDefinitions, REGION } from './deployed-definitions.ts';

type Validator = (
  definition: unknown,
  options?: { checkPaths: boolean; checkArn: boolean },
) => {
  isValid: boolean;
  errors: { message?: string; path?: string }[];
};
const validate = createRequire(import.meta.url)('asl-validator') as Validator;

type State = Record<string, unknown> & { Type: string };

/** The service integrations the workflows may use (JSONPath, request-response or .sync). */
const INTEGRATIONS = new Set([
  'arn:aws:states:::lambda:invoke',
  'arn:aws:states:::events:putEvents',
  'arn:aws:states:::ecs:runTask.sync',
]);
const LAMBDA_ARN = new RegExp(`^arn:aws:lambda:${REGION}:${ACCOUNT}:function:[A-Za-z0-9_-]{1,64}$`);
const CLUSTER_ARN = new RegExp(`^arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/[A-Za-z0-9_-]{1,255}$`);
const TASK_DEFINITION_ARN = new RegExp(`^arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/[A-Za-z0-9_-]{1,255}:\\d+$`);
/** Any ARN: partition, service, region (or none), account (or none), resource. */
const ANY_ARN = /^arn:aws:([a-z0-9-]+):([a-z0-9-]*):(\d{12})?:\S+$/;

const configurations = {
  defaults: {},
  restic: {
    restoreSubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
    restoreSecurityGroupIds: ['sg-0a1b2c3d4e5f60001'],
  },
};

const deployed = new Map<string, DeployedDefinition[]>();
let functionArns: Set<string>;
let eventBusNames: Set<string>;

beforeAll(() => {
  for (const [configuration, options] of Object.entries(configurations)) {
    const { assembly } = buildTestApp(options);
    deployed.set(configuration, deployedDefinitions(assembly));
    if (configuration === 'defaults') {
      // What every function's and bus's ARN or name resolves to, the same way the substitutions were resolved.
      const resolve = appResolver(assembly);
      const ofType = (type: string) =>
        assembly.stacks.flatMap((s) =>
          Object.entries((s.template as { Resources: Record<string, { Type: string }> }).Resources)
            .filter(([, r]) => r.Type === type)
            .map(([id]) => [s.stackName, id] as const),
        );
      functionArns = new Set(
        ofType('AWS::Lambda::Function').map(([s, id]) => resolve(s, { 'Fn::GetAtt': [id, 'Arn'] })),
      );
      eventBusNames = new Set(ofType('AWS::Events::EventBus').map(([s, id]) => resolve(s, { Ref: id })));
    }
  }
});

const definitionsOf = (configuration: keyof typeof configurations) => deployed.get(configuration) ?? [];
const parsed = (d: DeployedDefinition) => JSON.parse(d.text) as { States: Record<string, State> };
const tasks = (d: DeployedDefinition): [string, State][] =>
  allStates(parsed(d) as never).filter(([, s]) => (s as State).Type === 'Task') as [string, State][];

function strings(node: unknown, path = '$'): [string, string][] {
  if (typeof node === 'string') return [[path, node]];
  if (Array.isArray(node)) return node.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (node && typeof node === 'object') return Object.entries(node).flatMap(([k, v]) => strings(v, `${path}.${k}`));
  return [];
}

describe('the state machines as deployed', () => {
  it('deploys the three workflows, in every configuration', () => {
    for (const configuration of Object.keys(configurations) as (keyof typeof configurations)[]) {
      expect(
        definitionsOf(configuration)
          .map((d) => d.name)
          .sort(),
      ).toEqual([
        'ReversaWorkflows-restore-test',
        'ReversaWorkflows-reversibility-export',
        'ReversaWorkflows-verify-backups',
      ]);
    }
  });

  for (const configuration of Object.keys(configurations) as (keyof typeof configurations)[]) {
    describe(configuration, () => {
      it('leaves no placeholder once CloudFormation has substituted', () => {
        for (const d of definitionsOf(configuration)) expect(d.text.match(/\$\{[^}]*\}/g) ?? [], d.name).toEqual([]);
      });

      it('passes asl-validator with its ARN and path checks', () => {
        for (const d of definitionsOf(configuration)) {
          const result = validate(parsed(d), { checkArn: true, checkPaths: true });
          expect(result.errors, d.name).toEqual([]);
          expect(result.isValid, d.name).toBe(true);
        }
      });

      it('gives every Task an integration ARN, and every function, cluster, task definition and bus it names exists', () => {
        for (const d of definitionsOf(configuration)) {
          for (const [name, state] of tasks(d)) {
            const where = `${d.name}/${name}`;
            const p = (state.Parameters ?? {}) as Record<string, unknown>;
            expect(INTEGRATIONS.has(String(state.Resource)), `${where}: ${String(state.Resource)}`).toBe(true);
            if (state.Resource === 'arn:aws:states:::lambda:invoke') {
              expect(p.FunctionName, where).toMatch(LAMBDA_ARN);
              expect(functionArns.has(String(p.FunctionName)), `${where}: ${String(p.FunctionName)}`).toBe(true);
              expect(p.Payload !== undefined || p['Payload.$'] !== undefined, where).toBe(true);
            }
            if (state.Resource === 'arn:aws:states:::ecs:runTask.sync') {
              expect(p.LaunchType, where).toBe('FARGATE');
              expect(p.Cluster, where).toMatch(CLUSTER_ARN);
              expect(p.TaskDefinition, where).toMatch(TASK_DEFINITION_ARN);
            }
            if (state.Resource === 'arn:aws:states:::events:putEvents') {
              for (const entry of p.Entries as Record<string, unknown>[]) {
                expect(eventBusNames.has(String(entry.EventBusName)), `${where}: ${String(entry.EventBusName)}`).toBe(
                  true,
                );
                expect(entry.Source, where).toBe('reversa');
                expect(entry.DetailType, where).toMatch(/^Reversa [A-Z][a-z]+ [A-Z][a-z]+$/);
              }
            }
          }
        }
      });

      it('writes every ARN in the definitions in the deployment region and account', () => {
        for (const d of definitionsOf(configuration)) {
          for (const [path, value] of strings(parsed(d)).filter(([, v]) => v.startsWith('arn:'))) {
            const match = ANY_ARN.exec(value);
            expect(match, `${d.name} ${path}: ${value}`).not.toBeNull();
            if (match?.[2]) expect(match[2], `${d.name} ${path}`).toBe(REGION);
            if (match?.[3]) expect(match[3], `${d.name} ${path}`).toBe(ACCOUNT);
          }
        }
      });

      it('reads only payload paths that exist in each state input', () => {
        for (const d of definitionsOf(configuration)) expect(missingPayloadPaths(parsed(d)), d.name).toEqual([]);
      });
    });
  }

  it('runs the restic task in the subnets and security groups given at deploy time', () => {
    const [restore] = definitionsOf('restic').filter((d) => d.name === 'ReversaWorkflows-restore-test');
    const network = (
      tasks(restore as DeployedDefinition).find(([n]) => n === 'RestoreRestic')?.[1].Parameters as never
    )?.['NetworkConfiguration'] as { AwsvpcConfiguration: Record<string, string> };
    const listed = (expression: string | undefined) =>
      /^States\.StringSplit\('([^']*)', ','\)$/.exec(expression ?? '')?.[1]?.split(',');
    expect(listed(network.AwsvpcConfiguration['Subnets.$'])).toEqual(configurations.restic.restoreSubnetIds);
    expect(listed(network.AwsvpcConfiguration['SecurityGroups.$'])).toEqual(
      configurations.restic.restoreSecurityGroupIds,
    );
  });
});

describe('the payload path check', () => {
  it('catches a field the real restore-test workflow stops producing', () => {
    const [restore] = definitionsOf('defaults').filter((d) => d.name === 'ReversaWorkflows-restore-test');
    const definition = parsed(restore as DeployedDefinition);
    const poll = definition.States.DescribeAwsBackupRestore as unknown as { ResultSelector: Record<string, string> };
    delete poll.ResultSelector['status.$'];
    expect(missingPayloadPaths(definition)).toEqual([
      'AwsBackupRestoreDone: Variable reads $.restoreJob.status, but $.restoreJob.status is not there',
    ]);
  });

  const lambda = (extra: Record<string, unknown>) => ({
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: 'arn:aws:lambda:eu-west-3:111111111111:function:f', 'Payload.$': '$' },
    ...extra,
  });

  it('flags a Fail state reading the error where no Catch put it', () => {
    const definition = {
      StartAt: 'Start',
      States: {
        // The execution input is open (anything may be in it): a Pass that builds the payload makes it known.
        Start: { Type: 'Pass', Parameters: { 'tenantId.$': '$.tenantId' }, Next: 'Work' },
        Work: lambda({ Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' }], End: true }),
        Failed: { Type: 'Fail', ErrorPath: '$.failure.Error', CausePath: '$.error.Cause' },
      },
    };
    expect(missingPayloadPaths(definition)).toEqual([
      'Failed: ErrorPath reads $.failure.Error, but $.failure is not there',
    ]);
  });

  it('flags a field a ResultSelector did not keep, and a Lambda result read outside Payload', () => {
    const definition = {
      StartAt: 'Start',
      States: {
        Start: lambda({
          ResultSelector: { 'jobId.$': '$.Payload.jobId', 'code.$': '$.payload.code' },
          ResultPath: '$.job',
          Next: 'Poll',
        }),
        Poll: lambda({
          Parameters: {
            FunctionName: 'arn:aws:lambda:eu-west-3:111111111111:function:f',
            Payload: { 'jobId.$': '$.job.jobId', 'status.$': '$.job.status', 'id.$': "States.Format('{}', $.job.id)" },
          },
          End: true,
        }),
      },
    };
    expect(missingPayloadPaths(definition)).toEqual([
      'Poll: Payload.id.$ reads $.job.id, but $.job.id is not there',
      'Poll: Payload.status.$ reads $.job.status, but $.job.status is not there',
      'Start: code.$ reads $.payload.code, but $.payload is not there',
    ]);
  });

  it('follows loops and merges the ways into a state, and checks Map items against the ItemSelector', () => {
    const definition = {
      StartAt: 'Start',
      States: {
        Start: { Type: 'Pass', Result: { polls: 0 }, ResultPath: '$.job', Next: 'Wait' },
        Wait: { Type: 'Wait', Seconds: 1, Next: 'Check' },
        Check: lambda({
          Parameters: {
            FunctionName: 'arn:aws:lambda:eu-west-3:111111111111:function:f',
            Payload: { 'polls.$': '$.job.polls', 'previous.$': '$.job.done' },
          },
          ResultSelector: { 'polls.$': '$.Payload.polls', 'done.$': '$.Payload.done' },
          ResultPath: '$.job',
          Next: 'Done?',
        }),
        'Done?': {
          Type: 'Choice',
          Choices: [{ Variable: '$.job.done', BooleanEquals: true, Next: 'Each' }],
          Default: 'Wait',
        },
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemSelector: { 'polls.$': '$.job.polls', 'item.$': '$$.Map.Item.Value' },
          ItemProcessor: {
            StartAt: 'One',
            States: { One: { Type: 'Pass', Parameters: { 'p.$': '$.polls', 'd.$': '$.job.done' }, End: true } },
          },
          End: true,
        },
      },
    };
    // Wait is reached with job {polls} and with job {polls, done}: only polls is certain there, so Check may not
    // read done from its input; inside the Map only what the ItemSelector built exists.
    expect(missingPayloadPaths(definition)).toEqual([
      'Check: Payload.previous.$ reads $.job.done, but $.job.done is not there',
      'Each/One: d.$ reads $.job.done, but $.job is not there',
    ]);
  });
});
