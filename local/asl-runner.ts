/**
 * Runs the workflow files in-process with aws-local-stepfunctions, so the local cloud executes the
 * very ASL that CDK deploys. Each Task state is mapped to a local implementation: a `lambda:invoke`
 * to the use-case function behind that Lambda (the same one the handler calls), `events:putEvents`
 * to the local EventPublisher. A Task nobody can run locally is an error when the machine is built,
 * not halfway through an execution.
 */
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { LOCAL_EVENT_BUS, LOCAL_REGION } from '#config';
import { ConfigError, ReversaError } from '#core/errors.ts';
import type { EventPublisher } from '#core/ports.ts';
import { loadDefinition, placeholdersOf, readDefinitionText } from '#statemachines/definitions.ts';
import { LOCALLY_OVERRIDDEN_RESOURCES, TaskResources } from '#statemachines/names.ts';

/** A local stand-in for one Lambda: receives the Payload, returns what the handler would return. */
export type LocalLambda = (payload: unknown) => Promise<unknown>;

/**
 * Binds each Lambda placeholder of an ASL file to the use case its handler calls in AWS, on the given ports:
 * the one table per workflow that the local runners hand to the interpreter.
 */
export function bindLambdas<D>(
  deps: D,
  useCases: Record<string, (deps: D, payload: never) => Promise<unknown>>,
): Record<string, LocalLambda> {
  return Object.fromEntries(
    Object.entries(useCases).map(([placeholder, useCase]) => [placeholder, (p: unknown) => useCase(deps, p as never)]),
  );
}

export interface LocalTaskImpls {
  /** Keyed by the substitution placeholder naming the function, e.g. `LoadStrategyFunctionArn`. */
  lambdas: Readonly<Record<string, LocalLambda>>;
  events: EventPublisher;
  /** Keyed by STATE name: Tasks whose service integration has no local emulator (e.g. ecs:runTask.sync). */
  overrides?: Readonly<Record<string, LocalLambda>>;
}

export interface TaskBinding {
  state: string;
  kind: 'lambda' | 'events' | 'override';
  /** For lambdas: the placeholder the function ARN came from. */
  placeholder?: string;
  /** `invoke`: through arn:aws:states:::lambda:invoke (result wrapped in `{ Payload }`); `direct`: Resource is the ARN. */
  integration?: 'invoke' | 'direct';
}

export interface ExecutionResult {
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  output?: unknown;
  /** For FAILED: the error name (what `ErrorEquals` matches) and cause, as Step Functions reports them. */
  error?: string;
  cause?: string;
  /** Every state's output size in bytes, in order: the payload-size budget is checked on these. */
  stateOutputs: { state: string; bytes: number }[];
  /** Retries per state name. */
  retries: Record<string, number>;
}

export interface RunOptions {
  /** `$$.Execution.Name`. */
  executionName: string;
  /** Zero every Wait and Retry interval (tests, benchmarks). Default false. */
  zeroWaits?: boolean;
  /**
   * Tests of idempotency: the process "dies" right after this state's task has done its work (the
   * execution is aborted, nothing after it runs, no Catch sees it), as a killed Lambda or CLI would.
   */
  killAfter?: string;
}

/** What a caller of one of the local workflow runners may set (the runners fill in the rest). */
export interface WorkflowRunOptions {
  /** Default: the workflow's deterministic name for this input. */
  executionName?: string;
  zeroWaits?: boolean;
  /** Abort the execution right after this state's task (idempotency tests: a killed process). */
  killAfter?: string;
  /** Replace or wrap Lambdas by placeholder (fault injection in tests). */
  lambdas?: Readonly<Record<string, LocalLambda>>;
}

/** The interpreter's options for one run: the execution name the runner chose, the caller's switches. */
export function runOptionsOf(executionName: string, options: WorkflowRunOptions): RunOptions {
  return {
    executionName,
    ...(options.zeroWaits === undefined ? {} : { zeroWaits: options.zeroWaits }),
    ...(options.killAfter === undefined ? {} : { killAfter: options.killAfter }),
  };
}

export interface LocalWorkflow {
  name: string;
  definition: StateMachineDefinition;
  bindings: TaskBinding[];
  run(input: unknown, impls: LocalTaskImpls, options: RunOptions): Promise<ExecutionResult>;
}

/** Step Functions' payload limit: a local run fails the same way a deployed one would. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

class DataLimitExceeded extends ReversaError {
  override readonly name = 'States.DataLimitExceeded';
}

const LOCAL_ACCOUNT = '000000000000';

/** The ARN a `${XxxFunctionArn}` placeholder gets locally; mapped back to the placeholder at bind time. */
export function localFunctionArn(placeholder: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:reversa-local-${placeholder.replace(/FunctionArn$/, '')}`;
}

/** Placeholders of states that run locally through a state-name override: their values are never used. */
export const LOCAL_INFRA_PLACEHOLDERS: Readonly<Record<string, string>> = {
  ClusterArn: `arn:aws:ecs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:cluster/reversa-local`,
  ResticTaskDefinitionArn: `arn:aws:ecs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:task-definition/reversa-local-restic:1`,
  SubnetIds: 'subnet-local',
  SecurityGroupIds: 'sg-local',
};

/** Local values for every placeholder a workflow file uses. */
export function localSubstitutions(name: string): Record<string, string> {
  const subs: Record<string, string> = {};
  for (const p of placeholdersOf(readDefinitionText(name))) {
    if (p.endsWith('FunctionArn')) subs[p] = localFunctionArn(p);
    else if (p === 'EventBusName') subs[p] = LOCAL_EVENT_BUS;
    else if (LOCAL_INFRA_PLACEHOLDERS[p] !== undefined) subs[p] = LOCAL_INFRA_PLACEHOLDERS[p];
    else throw new ConfigError('UnknownPlaceholder', `no local value for workflow placeholder \${${p}} in ${name}`);
  }
  return subs;
}

type StateDef = Record<string, unknown>;
/** The library's JSON type, which it does not export. */
type JsonValue = Parameters<StateMachine['run']>[0];

/** Every state of a definition, nested Parallel branches and Map processors included. */
export function allStates(definition: { States?: unknown }): [string, StateDef][] {
  const out: [string, StateDef][] = [];
  const states = (definition.States ?? {}) as Record<string, StateDef>;
  for (const [name, state] of Object.entries(states)) {
    out.push([name, state]);
    if (state.Type === 'Parallel') {
      for (const branch of (state.Branches ?? []) as { States?: unknown }[]) out.push(...allStates(branch));
    }
    if (state.Type === 'Map') {
      const processor = (state.ItemProcessor ?? state.Iterator) as { States?: unknown } | undefined;
      if (processor) out.push(...allStates(processor));
    }
  }
  return out;
}

/** Maps each Task state to a local implementation kind; throws naming every Task that has none. */
export function bindTasks(
  definition: { States?: unknown },
  substitutions: Readonly<Record<string, string>>,
): TaskBinding[] {
  const placeholderOfArn = new Map(Object.entries(substitutions).map(([k, v]) => [v, k]));
  const bindings: TaskBinding[] = [];
  const unmapped: string[] = [];
  for (const [state, def] of allStates(definition)) {
    if (def.Type !== 'Task') continue;
    const resource = String(def.Resource);
    const params = (def.Parameters ?? {}) as Record<string, unknown>;
    if (resource === TaskResources.EventsPutEvents) {
      bindings.push({ state, kind: 'events' });
    } else if ((LOCALLY_OVERRIDDEN_RESOURCES as readonly string[]).includes(resource)) {
      bindings.push({ state, kind: 'override' });
    } else if (resource === TaskResources.LambdaInvoke && typeof params.FunctionName === 'string') {
      const placeholder = placeholderOfArn.get(params.FunctionName);
      if (placeholder) bindings.push({ state, kind: 'lambda', placeholder, integration: 'invoke' });
      else unmapped.push(`${state} (FunctionName ${params.FunctionName})`);
    } else if (resource.startsWith('arn:aws:lambda:') && placeholderOfArn.has(resource)) {
      bindings.push({
        state,
        kind: 'lambda',
        placeholder: placeholderOfArn.get(resource) as string,
        integration: 'direct',
      });
    } else {
      unmapped.push(`${state} (${resource})`);
    }
  }
  if (unmapped.length > 0) {
    throw new ConfigError('UnmappedTask', `Task states without a local implementation: ${unmapped.join(', ')}`);
  }
  return bindings;
}

function jsonRoundTrip(value: unknown, what: string): unknown {
  // Lambda payloads cross a JSON boundary in AWS: do the same so local runs cannot pass Maps, Dates or undefined.
  const text = JSON.stringify(value ?? null);
  if (Buffer.byteLength(text, 'utf8') > MAX_PAYLOAD_BYTES) {
    throw new DataLimitExceeded('DataLimitExceeded', `${what} exceeds the ${MAX_PAYLOAD_BYTES}-byte payload limit`);
  }
  return JSON.parse(text);
}

function lambdaHandler(binding: TaskBinding, impl: LocalLambda) {
  return async (input: unknown) => {
    if (binding.integration === 'direct') return jsonRoundTrip(await impl(jsonRoundTrip(input, 'input')), 'result');
    const { Payload } = (input ?? {}) as { Payload?: unknown };
    const result = jsonRoundTrip(await impl(jsonRoundTrip(Payload, 'input')), 'result');
    // The shape arn:aws:states:::lambda:invoke returns; OutputPath $.Payload picks the handler's result.
    return { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 };
  };
}

function putEventsHandler(events: EventPublisher) {
  let n = 0;
  return async (input: unknown) => {
    const entries = ((input ?? {}) as { Entries?: { DetailType?: string; Detail?: unknown }[] }).Entries ?? [];
    const ids: { EventId: string }[] = [];
    for (const entry of entries) {
      const detail = typeof entry.Detail === 'string' ? (JSON.parse(entry.Detail) as unknown) : entry.Detail;
      await events.publish(String(entry.DetailType), (detail ?? {}) as Record<string, unknown>);
      ids.push({ EventId: `local-${++n}` });
    }
    return { Entries: ids, FailedEntryCount: 0 };
  };
}

function buildWorkflow(name: string): LocalWorkflow {
  const substitutions = localSubstitutions(name);
  const definition = loadDefinition(name, substitutions) as unknown as StateMachineDefinition;
  const bindings = bindTasks(definition, substitutions);
  // The library adds fields to the definition it is given: keep ours pristine.
  const machine = new StateMachine(structuredClone(definition));
  const states = allStates(definition);
  const retryable = states.filter(([, s]) => Array.isArray(s.Retry)).map(([n]) => n);
  const waits = states.filter(([, s]) => s.Type === 'Wait').map(([n]) => n);

  return {
    name,
    definition,
    bindings,
    async run(input, impls, options) {
      const taskResourceLocalHandlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
      for (const b of bindings) {
        if (b.kind === 'events') {
          taskResourceLocalHandlers[b.state] = putEventsHandler(impls.events) as (
            input: JsonValue,
          ) => Promise<JsonValue>;
          continue;
        }
        if (b.kind === 'override') {
          const impl = impls.overrides?.[b.state];
          if (!impl) throw new ConfigError('MissingLocalOverride', `no local implementation for state ${b.state}`);
          taskResourceLocalHandlers[b.state] = (async (input: unknown) =>
            jsonRoundTrip(await impl(jsonRoundTrip(input, 'input')), 'result')) as (
            input: JsonValue,
          ) => Promise<JsonValue>;
          continue;
        }
        const impl = impls.lambdas[b.placeholder as string];
        if (!impl)
          throw new ConfigError('MissingLocalLambda', `no local implementation for ${b.placeholder} (${b.state})`);
        taskResourceLocalHandlers[b.state] = lambdaHandler(b, impl) as (input: JsonValue) => Promise<JsonValue>;
      }
      const zero = (names: string[]) => Object.fromEntries(names.map((n) => [n, 0]));
      let abort: (() => void) | undefined;
      const killed = options.killAfter;
      const victim = killed === undefined ? undefined : taskResourceLocalHandlers[killed];
      if (killed !== undefined) {
        if (!victim) throw new ConfigError('NoSuchTask', `no Task state ${killed} to kill after`);
        taskResourceLocalHandlers[killed] = async (input) => {
          const output = await victim(input);
          abort?.();
          return output;
        };
      }
      const execution = machine.run(jsonRoundTrip(input, 'execution input') as JsonValue, {
        overrides: {
          taskResourceLocalHandlers,
          ...(options.zeroWaits ? { retryIntervalOverrides: zero(retryable), waitTimeOverrides: zero(waits) } : {}),
        },
        context: { Execution: { Name: options.executionName } },
      });
      abort = () => execution.abort();

      const stateOutputs: ExecutionResult['stateOutputs'] = [];
      const retries: Record<string, number> = {};
      const history = (async () => {
        for await (const event of execution.eventLogs) {
          if (event.type === 'StateExited') {
            stateOutputs.push({
              state: event.state.name,
              bytes: Buffer.byteLength(JSON.stringify(event.state.output ?? null)),
            });
          } else if (event.type === 'StateRetried') {
            retries[event.state.name] = (retries[event.state.name] ?? 0) + 1;
          }
        }
      })();

      let result: ExecutionResult;
      try {
        const output = await execution.result;
        result = { status: 'SUCCEEDED', output, stateOutputs, retries };
      } catch (error) {
        if (error instanceof ExecutionAbortedError) {
          result = { status: 'ABORTED', error: 'States.Aborted', stateOutputs, retries };
        } else if (error instanceof ExecutionTimeoutError) {
          result = { status: 'TIMED_OUT', error: 'States.Timeout', stateOutputs, retries };
        } else if (error instanceof ExecutionError) {
          const cause = error.cause as { name?: string; message?: string } | undefined;
          result = {
            status: 'FAILED',
            error: cause?.name ?? 'States.Runtime',
            cause: cause?.message ?? error.message,
            stateOutputs,
            retries,
          };
        } else {
          throw error;
        }
      }
      await history;
      return result;
    },
  };
}

const built = new Map<string, LocalWorkflow>();

/** The workflow `statemachines/<name>.asl.json`, built (and validated) once per process. */
export function localWorkflow(name: string): LocalWorkflow {
  let workflow = built.get(name);
  if (!workflow) {
    workflow = buildWorkflow(name);
    built.set(name, workflow);
  }
  return workflow;
}

export interface LocalStarterOptions {
  /** Zero retry intervals and waits (tests). Default false. */
  zeroWaits?: boolean;
  /** Called with each finished execution (the CLI prints it, tests assert on it). */
  onResult?: (name: string, result: ExecutionResult) => void;
}

/**
 * A workflow starter on the local cloud: runs the execution in-process to completion before
 * resolving (locally there is nothing to wait for in the background). Like Step Functions, an
 * execution name runs at most once: remembered in memory, and across restarts through whatever
 * durable trace an execution of that name leaves (`alreadyRan`).
 */
export abstract class LocalStarter<I> {
  private readonly names = new Set<string>();
  readonly results: { name: string; result: ExecutionResult }[] = [];

  constructor(protected readonly options: LocalStarterOptions = {}) {}

  /** True when an execution of this name got far enough to leave a trace (a plan, an evidence record). */
  protected abstract alreadyRan(input: I, name: string): Promise<boolean>;
  protected abstract execute(input: I, options: RunOptions): Promise<ExecutionResult>;

  async start(input: I, name: string): Promise<{ started: boolean }> {
    if (this.names.has(name)) return { started: false };
    this.names.add(name);
    if (await this.alreadyRan(input, name)) return { started: false };
    const result = await this.execute(input, {
      executionName: name,
      ...(this.options.zeroWaits === undefined ? {} : { zeroWaits: this.options.zeroWaits }),
    });
    this.results.push({ name, result });
    this.options.onResult?.(name, result);
    return { started: true };
  }
}
