/**
 * The retry policies of the workflow files, one per Task integration, defined once. The files do not repeat them: a
 * Task that declares no `Retry` gets its integration's policy when the file is loaded (`expandDefinition`), and that
 * expanded text is what both CDK deploys and the local runner executes. A Task opts out or customises by declaring
 * its own `Retry` (`[]` for none). Lambda Tasks get LAMBDA_TASK_RETRY, events:putEvents Tasks EVENTS_TASK_RETRY;
 * other integrations (ecs:runTask.sync) have no standard policy and declare theirs.
 */
import { ErrorNames, LAMBDA_TIMEOUT_ERRORS, LAMBDA_TRANSIENT_ERRORS, TaskResources } from './names.ts';

/** One `Retry` entry of a Task (JSONPath ASL field names). */
export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds: number;
  readonly MaxAttempts: number;
  readonly BackoffRate: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

/**
 * Every step is idempotent (it rewrites the same keys under runs/<tenant>/<run>/), so retrying is always safe; what
 * is retried is what may succeed on a second try, never our permanent errors (ValidationError, NotFoundError, ...).
 */
export const LAMBDA_TASK_RETRY: readonly Retrier[] = [
  // Lambda service hiccups and throttling: quick and often.
  {
    ErrorEquals: LAMBDA_TRANSIENT_ERRORS,
    IntervalSeconds: 1,
    MaxAttempts: 6,
    BackoffRate: 2,
    MaxDelaySeconds: 30,
    JitterStrategy: 'FULL',
  },
  // A dependency said "try again" (throttling, 5xx, a handler stopping before its Lambda deadline).
  {
    ErrorEquals: [ErrorNames.Transient],
    IntervalSeconds: 2,
    MaxAttempts: 4,
    BackoffRate: 2,
    MaxDelaySeconds: 60,
    JitterStrategy: 'FULL',
  },
  // Out of time: usually transient, but more than two more attempts would only delay the failure.
  {
    ErrorEquals: LAMBDA_TIMEOUT_ERRORS,
    IntervalSeconds: 5,
    MaxAttempts: 2,
    BackoffRate: 2,
    MaxDelaySeconds: 30,
    JitterStrategy: 'FULL',
  },
];

/** events:putEvents (EmitFindings, Notify): EventBridge throttling or a service hiccup, three quick attempts. */
export const EVENTS_TASK_RETRY: readonly Retrier[] = [
  { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' },
];

type State = Record<string, unknown>;

/** A direct Lambda Resource: a function ARN, or (before substitution) a `${…FunctionArn}` placeholder. */
const DIRECT_LAMBDA = /^(arn:aws[a-z-]*:lambda:|\$\{\w+FunctionArn\}$)/;

/** A Task that invokes a Lambda function, through the lambda:invoke integration or directly by ARN. */
export function isLambdaTask(state: State): boolean {
  if (state.Type !== 'Task' || typeof state.Resource !== 'string') return false;
  return state.Resource === TaskResources.LambdaInvoke || DIRECT_LAMBDA.test(state.Resource);
}

/** The standard `Retry` of a state's integration, if it has one (Lambda, events:putEvents). */
export function standardRetryOf(state: State): readonly Retrier[] | undefined {
  if (isLambdaTask(state)) return LAMBDA_TASK_RETRY;
  if (state.Type === 'Task' && state.Resource === TaskResources.EventsPutEvents) return EVENTS_TASK_RETRY;
  return undefined;
}

/** Where `Retry` goes in a state, so the expanded state reads like a hand-written one: before Catch, Next or End. */
const RETRY_BEFORE = ['Catch', 'Next', 'End'];

function withRetry(state: State, policy: readonly Retrier[]): State {
  const entries = Object.entries(state);
  const at = entries.findIndex(([key]) => RETRY_BEFORE.includes(key));
  const retry: [string, unknown] = ['Retry', structuredClone(policy)];
  entries.splice(at === -1 ? entries.length : at, 0, retry);
  return Object.fromEntries(entries);
}

function expandStates(states: Record<string, State>): Record<string, State> {
  return Object.fromEntries(Object.entries(states).map(([name, state]) => [name, expandState(state)]));
}

function expandState(state: State): State {
  const policy = standardRetryOf(state);
  if (policy !== undefined) return state.Retry === undefined ? withRetry(state, policy) : state;
  const expanded = { ...state };
  if (Array.isArray(state.Branches)) expanded.Branches = (state.Branches as State[]).map(expandStatesOf);
  for (const key of ['ItemProcessor', 'Iterator'] as const) {
    if (state[key] !== undefined) expanded[key] = expandStatesOf(state[key] as State);
  }
  return expanded;
}

function expandStatesOf(machine: State): State {
  const states = machine.States;
  if (states === undefined || states === null || typeof states !== 'object') return machine;
  return { ...machine, States: expandStates(states as Record<string, State>) };
}

/**
 * The definition with its integration's standard retry policy on every Task (Parallel branches and Map processors
 * included) that declares no `Retry` of its own. Returns a new object that shares nothing with the input.
 */
export function expandMachine<T extends object>(definition: T): T {
  return expandStatesOf(structuredClone(definition) as State) as T;
}
