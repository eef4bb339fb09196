import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';
import { DeadLetterQueue } from '../constructs/dead-letter-queue.ts';
import { ReversaFunction, type ReversaFunctionProps } from '../constructs/reversa-function.ts';
import { entryFromRepoRoot } from '../paths.ts';
import type { ReversaResources } from '../reversa-resources.ts';

/** What every workflow construct (verify, restore tests, dossier export, ingestion) is given. */
export interface WorkflowProps {
  /** What its functions are bound to: tables, buckets, keys, bus, the workflows' ARNs and the restore role. */
  readonly resources: ReversaResources;
  /** Topic every alarm of the workflow notifies (executions, dead-letter queues). */
  readonly alarmTopic: ITopic;
  /**
   * Resolves a handler path relative to the repository root (e.g. `functions/ingest/s3-inbox.ts`) to the file to bundle.
   * @default - the file at that path under the repository root
   */
  readonly resolveEntry?: (relativePath: string) => string;
}

/** A function's settings beyond its entry (the names every function receives are filled in). */
export type FunctionOptions = Omit<ReversaFunctionProps, 'entry' | 'environment' | 'serviceName'>;

/**
 * Grouping constructs whose id stays out of the logical ids of what they hold (see WorkflowsStack.allocateLogicalId):
 * splitting the one workflows stack into a construct per workflow must not rename, and so replace, its functions,
 * roles and queues, and the signing keys admit roles by a name prefix that holds the role's logical id. Two groupings
 * giving children the same id would collide: CDK refuses the synth ("section 'Resources' already contains …").
 * Names CDK derives from the construct path rather than the logical id (the EventBridge → Lambda permissions, the
 * restic task definition family) do change.
 */
const groupings = new WeakSet<IConstruct>();

/** Marks `scope` as a grouping (call it first in the constructor, before any child exists). */
export function keepChildLogicalIds(scope: IConstruct): void {
  groupings.add(scope);
}

/** `scopes` without the groupings: the path a logical id is computed from. */
export function withoutGroupings(scopes: readonly IConstruct[]): IConstruct[] {
  return scopes.filter((scope) => !groupings.has(scope));
}

/**
 * The base of a workflow construct. It keeps its children's logical ids (see `keepChildLogicalIds`) and makes the
 * workflow's functions and dead-letter queues: every function gets the workflow's Powertools service name and every
 * resource name (bindings add the grants); every queue alarms on the workflow's topic.
 */
export abstract class WorkflowConstruct extends Construct {
  /** Every alarm of the workflow (executions, dead-letter queues, schedules). */
  abstract readonly alarms: readonly Alarm[];
  /** Alarms of the dead-letter queues made with `deadLetters`. */
  protected readonly deadLetterAlarms: Alarm[] = [];
  private readonly resolveEntry: (relativePath: string) => string;

  constructor(
    scope: Construct,
    id: string,
    private readonly workflow: WorkflowProps,
    private readonly serviceName: string,
  ) {
    super(scope, id);
    keepChildLogicalIds(this);
    this.resolveEntry = workflow.resolveEntry ?? entryFromRepoRoot;
  }

  /** A ReversaFunction for the handler at `entry` (relative to the repository root). */
  protected fn(id: string, entry: string, options: FunctionOptions): ReversaFunction {
    return new ReversaFunction(this, id, {
      entry: this.resolveEntry(entry),
      environment: this.workflow.resources.environment,
      serviceName: this.serviceName,
      ...options,
    });
  }

  /** A dead-letter queue keeping failed `purpose` (asynchronous invocations, event deliveries), with its alarm. */
  protected deadLetters(id: string, purpose: string): DeadLetterQueue {
    const queue = new DeadLetterQueue(this, id, { alarmTopic: this.workflow.alarmTopic, purpose });
    this.deadLetterAlarms.push(queue.alarm);
    return queue;
  }
}
