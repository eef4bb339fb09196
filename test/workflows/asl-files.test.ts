import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { allStates, bindTasks, localSubstitutions } from '#local/asl-runner.ts';
import {
  definitionPath,
  expandDefinition,
  loadDefinition,
  placeholdersOf,
  readDefinitionText,
  readExpandedDefinition,
  substitute,
} from '#statemachines/definitions.ts';
import {
  ErrorNames,
  LAMBDA_TRANSIENT_ERRORS,
  LOCALLY_OVERRIDDEN_RESOURCES,
  TaskResources,
  VERIFY_WORKFLOW,
  VerifyStates,
  VerifySubstitutions,
} from '#statemachines/names.ts';
import { EVENTS_TASK_RETRY, expandMachine, isLambdaTask, LAMBDA_TASK_RETRY } from '#statemachines/retry-policy.ts';

type Validator = (
  definition: unknown,
  options?: { checkPaths: boolean; checkArn: boolean },
) => {
  isValid: boolean;
  errors: unknown[];
};
const validate = createRequire(import.meta.url)('asl-validator') as Validator;

const workflows = readdirSync(new URL('../../statemachines/', import.meta.url))
  .filter((f) => f.endsWith('.asl.json'))
  .map((f) => f.replace(/\.asl\.json$/, ''));

/** Constructs aws-local-stepfunctions cannot execute (or silently mis-executes): the deployed file must avoid them. */
function unsupportedConstructs(node: unknown, path = '$'): string[] {
  const found: string[] = [];
  if (typeof node === 'string') {
    if (node.includes('$$.Execution.Id')) found.push(`${path}: $$.Execution.Id`);
    if (node.includes('$$.Task.Token')) found.push(`${path}: $$.Task.Token`);
    if (/\.waitForTaskToken$/.test(node)) found.push(`${path}: .waitForTaskToken`);
    // A `.sync` integration the local runner replaces by state name (LOCALLY_OVERRIDDEN_RESOURCES) is runnable.
    if (/\.sync(:\d+)?$/.test(node) && !(LOCALLY_OVERRIDDEN_RESOURCES as readonly string[]).includes(node))
      found.push(`${path}: .sync`);
    return found;
  }
  if (Array.isArray(node)) {
    for (const [i, v] of node.entries()) found.push(...unsupportedConstructs(v, `${path}[${i}]`));
    return found;
  }
  if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'QueryLanguage' && value === 'JSONata') found.push(`${path}.QueryLanguage: JSONata`);
      if (['Assign', 'ItemReader', 'ResultWriter', 'Arguments', 'Output'].includes(key)) found.push(`${path}.${key}`);
      if (key.endsWith('.$') && typeof value === 'string' && value.startsWith('{%'))
        found.push(`${path}.${key}: JSONata`);
      found.push(...unsupportedConstructs(value, `${path}.${key}`));
    }
  }
  return found;
}

describe('workflow files', () => {
  it('finds the verify workflow among the files', () => {
    expect(workflows).toContain(VERIFY_WORKFLOW);
  });

  for (const name of workflows) {
    describe(name, () => {
      it('passes asl-validator', () => {
        const result = validate(loadDefinition(name, localSubstitutions(name)));
        expect(result.errors).toEqual([]);
        expect(result.isValid).toBe(true);
      });

      it('uses only constructs the local runner executes', () => {
        expect(unsupportedConstructs(JSON.parse(readExpandedDefinition(definitionPath(name))))).toEqual([]);
      });

      it('gives every Lambda and events Task its standard retry policy, or keeps the Retry the file declares', () => {
        const written = allStates(JSON.parse(readDefinitionText(name)) as { States: unknown });
        const loaded = allStates(loadDefinition(name, localSubstitutions(name)) as { States: unknown });
        expect(loaded.map(([state]) => state)).toEqual(written.map(([state]) => state));
        expect(loaded.filter(([, state]) => isLambdaTask(state)).length).toBeGreaterThan(0);
        for (const [index, [state, definition]] of loaded.entries()) {
          const declared = written[index]?.[1].Retry;
          const standard = isLambdaTask(definition)
            ? LAMBDA_TASK_RETRY
            : definition.Resource === TaskResources.EventsPutEvents
              ? EVENTS_TASK_RETRY
              : undefined;
          expect(definition.Retry, state).toEqual(declared ?? standard);
        }
      });

      it('keeps no pasted copy of a standard retry policy in the file', () => {
        const written = allStates(JSON.parse(readDefinitionText(name)) as { States: unknown });
        for (const [state, definition] of written.filter(([, s]) => s.Retry !== undefined)) {
          expect(definition.Retry, state).not.toEqual(LAMBDA_TASK_RETRY);
          expect(definition.Retry, state).not.toEqual(EVENTS_TASK_RETRY);
        }
      });

      it('maps every Task state to a local implementation', () => {
        const subs = localSubstitutions(name);
        const definition = loadDefinition(name, subs);
        const tasks = allStates(definition as { States: unknown }).filter(([, s]) => s.Type === 'Task');
        expect(bindTasks(definition as { States: unknown }, subs).map((b) => b.state)).toEqual(tasks.map(([n]) => n));
      });
    });
  }

  it('names exactly the states and placeholders listed in statemachines/names.ts', () => {
    const definition = JSON.parse(readDefinitionText(VERIFY_WORKFLOW)) as { States: unknown };
    expect(
      allStates(definition)
        .map(([n]) => n)
        .sort(),
    ).toEqual(Object.values(VerifyStates).sort());
    expect(placeholdersOf(readDefinitionText(VERIFY_WORKFLOW))).toEqual(Object.values(VerifySubstitutions).sort());
  });

  it('retries Lambda service errors and TransientError, never our permanent errors, on every Lambda task', () => {
    const definition = loadDefinition(VERIFY_WORKFLOW, localSubstitutions(VERIFY_WORKFLOW)) as { States: unknown };
    const lambdaTasks = allStates(definition).filter(([, s]) => s.Resource === 'arn:aws:states:::lambda:invoke');
    expect(lambdaTasks).toHaveLength(4);
    for (const [, state] of lambdaTasks) {
      const retried = (state.Retry as { ErrorEquals: string[] }[]).flatMap((r) => r.ErrorEquals);
      expect(retried).toEqual(expect.arrayContaining([...LAMBDA_TRANSIENT_ERRORS, ErrorNames.Transient]));
      for (const permanent of [ErrorNames.Validation, ErrorNames.NotFound, ErrorNames.Internal, 'States.ALL']) {
        expect(retried).not.toContain(permanent);
      }
    }
  });

  it('retries a timed-out Lambda invocation a little, on every Lambda task with a Task timeout', () => {
    // Sandbox.Timedout: the function hit its own timeout; States.Timeout: the Task's TimeoutSeconds elapsed;
    // Lambda.ClientExecutionTimeoutException: the invoke call itself timed out. Usually transient, and every step
    // is idempotent (it rewrites the same keys), so one or two more attempts are safe; more would only delay failure.
    const timeoutErrors = ['Sandbox.Timedout', 'States.Timeout', 'Lambda.ClientExecutionTimeoutException'];
    const definition = loadDefinition(VERIFY_WORKFLOW, localSubstitutions(VERIFY_WORKFLOW)) as { States: unknown };
    const lambdaTasks = allStates(definition).filter(([, s]) => s.Resource === 'arn:aws:states:::lambda:invoke');
    expect(lambdaTasks).toHaveLength(4);
    for (const [name, state] of lambdaTasks) {
      expect(state.TimeoutSeconds, name).toBe(900);
      const retriers = state.Retry as { ErrorEquals: string[]; MaxAttempts?: number; IntervalSeconds?: number }[];
      for (const error of timeoutErrors) {
        const retrier = retriers.find((r) => r.ErrorEquals.includes(error));
        expect(retrier, `${name} retries ${error}`).toBeDefined();
        expect(retrier?.MaxAttempts, `${name} ${error}`).toBeGreaterThanOrEqual(1);
        expect(retrier?.MaxAttempts, `${name} ${error}`).toBeLessThanOrEqual(3);
        expect(retrier?.IntervalSeconds ?? 1, `${name} ${error}`).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('the construct check flags JSONata, variables, distributed maps, callbacks and the execution id', () => {
    const bad = {
      QueryLanguage: 'JSONata',
      States: {
        A: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Assign: { x: 1 } },
        B: { Type: 'Map', ItemReader: {}, ResultWriter: {}, Parameters: { 'id.$': '$$.Execution.Id' } },
        C: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2' },
      },
    };
    expect(unsupportedConstructs(bad)).toHaveLength(7);
  });

  it('refuses to load a definition with a placeholder left without a value, and escapes values', () => {
    const ph = (name: string) => `\${${name}}`;

    expect(() => substitute(`{"a": "${ph('Missing')}", "b": "${ph('Other')}"}`, { Other: 'x' })).toThrow(/Missing/);
    expect(JSON.parse(substitute(`{"b": "${ph('Other')}"}`, { Other: 'x"y' }))).toEqual({ b: 'x"y' });
  });
});

describe('retry policy expansion', () => {
  const placeholder = (name: string) => `\${${name}}`;
  const lambda = (extra: Record<string, unknown> = {}) => ({
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: placeholder('PrepareFunctionArn') },
    ...extra,
    Next: 'Done',
  });
  type TestState = Record<string, unknown> & { Retry?: { ErrorEquals: string[] }[] };
  const machine = (states: Record<string, TestState>) => ({ StartAt: Object.keys(states)[0], States: states });
  const stateOf = (definition: { States: Record<string, TestState> }, name: string): TestState => {
    const state = definition.States[name];
    if (state === undefined) throw new Error(`no state ${name}`);
    return state;
  };

  it('puts the policy on a lambda:invoke Task without Retry, before its Catch', () => {
    const catchAll = [{ ErrorEquals: ['States.ALL'], Next: 'Done' }];
    const expanded = expandMachine(machine({ Step: lambda({ Catch: catchAll }) }));
    expect(stateOf(expanded, 'Step')).toEqual({ ...lambda({ Catch: catchAll }), Retry: LAMBDA_TASK_RETRY });
    expect(Object.keys(stateOf(expanded, 'Step'))).toEqual([
      'Type',
      'Resource',
      'Parameters',
      'Retry',
      'Catch',
      'Next',
    ]);
  });

  it('keeps a Retry the Task declares, an empty one included (opting out)', () => {
    const own = [{ ErrorEquals: ['TransientError'], MaxAttempts: 1 }];
    const expanded = expandMachine(machine({ Own: lambda({ Retry: own }), None: lambda({ Retry: [] }) }));
    expect(stateOf(expanded, 'Own').Retry).toEqual(own);
    expect(stateOf(expanded, 'None').Retry).toEqual([]);
  });

  it('covers direct Lambda Resources, events Tasks, Parallel branches and Map processors, and nothing else', () => {
    const direct = { Type: 'Task', Resource: placeholder('GatherFunctionArn'), End: true };
    const byArn = { Type: 'Task', Resource: 'arn:aws:lambda:eu-west-3:000000000000:function:f', End: true };
    const events = { Type: 'Task', Resource: 'arn:aws:states:::events:putEvents', End: true };
    const ecs = { Type: 'Task', Resource: 'arn:aws:states:::ecs:runTask.sync', End: true };
    const expanded = expandMachine(
      machine({
        Fan: { Type: 'Parallel', Branches: [machine({ Direct: direct }), machine({ Events: events })], Next: 'Each' },
        Each: { Type: 'Map', ItemProcessor: machine({ ByArn: byArn }), Next: 'Run' },
        Run: ecs,
      }),
    );
    const states = allStates(expanded);
    const retryOf = (name: string) => states.find(([state]) => state === name)?.[1].Retry;
    expect(retryOf('Direct')).toEqual(LAMBDA_TASK_RETRY);
    expect(retryOf('ByArn')).toEqual(LAMBDA_TASK_RETRY);
    expect(retryOf('Events')).toEqual(EVENTS_TASK_RETRY);
    expect(retryOf('Run')).toBeUndefined();
    expect(retryOf('Fan')).toBeUndefined();
  });

  it('leaves the definition it is given untouched', () => {
    const definition = machine({ Step: lambda() });
    const before = structuredClone(definition);
    const expanded = expandMachine(definition);
    expect(definition).toEqual(before);
    stateOf(expanded, 'Step').Retry?.[0]?.ErrorEquals.push('Extra');
    expect(LAMBDA_TASK_RETRY[0]?.ErrorEquals).not.toContain('Extra');
  });

  it('refuses a file that is not a JSON object, naming the file', () => {
    expect(() => expandDefinition('{"StartAt": ', 'statemachines/broken.asl.json')).toThrow(
      /statemachines\/broken\.asl\.json.*expected a JSON state machine definition/s,
    );
    expect(() => expandDefinition('[]', 'statemachines/list.asl.json')).toThrow(/statemachines\/list\.asl\.json/);
  });
});
