import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import { VERIFY_WORKFLOW } from '#statemachines/names.ts';
import type { ReversaFunction } from '../constructs/reversa-function.ts';
import { ScheduledInvoke } from '../constructs/scheduled-invoke.ts';
import { VerifyStateMachine } from '../constructs/verify-state-machine.ts';
import { TENANT_INDEX, TENANT_STATES } from '../partitions.ts';
import { defaultVerifyDefinitionPath } from '../paths.ts';
import { stateMachineNameOf } from '../reversa-resources.ts';
import { WorkflowConstruct, type WorkflowProps } from './workflow.ts';

export interface VerifyWorkflowProps extends WorkflowProps {
  /**
   * ASL file of the verify workflow.
   * @default statemachines/verify-backups.asl.json (repository root)
   */
  readonly definitionPath?: string;
  /**
   * How often the sweep looks for due verifications.
   * @default rate(5 minutes)
   */
  readonly sweepSchedule?: ScheduleExpression;
}

/** The verify workflow's Task functions and the sweep that starts it. */
export type VerifyFunctionKey = 'loadStrategy' | 'evaluateBatch' | 'aggregate' | 'persist' | 'sweep';

/**
 * Verifies a tenant's backups against its strategy: the `<stack>-verify-backups` state machine
 * (statemachines/verify-backups.asl.json), its four Task functions, and the sweep that starts it every 5 minutes for
 * every tenant whose verification is due. Each grant is what the handler's use case touches through its ports
 * (core/use-cases/verify.ts, sweep.ts), the tenant's data through the tenant-access role of each step function; no
 * function publishes events (EmitFindings/RecordFailure are workflow tasks).
 */
export class VerifyWorkflow extends WorkflowConstruct {
  readonly functions: Readonly<Record<VerifyFunctionKey, ReversaFunction>>;
  readonly stateMachine: VerifyStateMachine;
  /** Execution alarms, the sweep's dead-letter queue and its schedule's. */
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: VerifyWorkflowProps) {
    super(scope, id, props, 'reversa-verify');
    const resources = props.resources;
    const { table, dataBucket } = resources;
    const runs = 'runs/';
    const reports = 'reports/';

    // strategies.getCurrent, facts.listSeenResources; writes runs/<tenant>/<run>/plan.json.
    const loadStrategy = this.fn('LoadStrategy', 'functions/verify/load-strategy.ts', {
      description: 'Loads the tenant strategy version and splits resources into batches',
    }).bind(table.read(), dataBucket.write(runs));
    // facts.getFacts; reads the plan, writes batch-<n>.json.
    const evaluateBatch = this.fn('EvaluateBatch', 'functions/verify/evaluate-batch.ts', {
      description: 'Evaluates the rules on one batch of resources',
      memorySize: 1024,
      timeout: Duration.minutes(2),
    }).bind(table.read(), dataBucket.read(runs), dataBucket.write(runs));
    // reports.listReports (previous run); reads plan and batches, the previous report; writes the report and summary.
    const aggregate = this.fn('Aggregate', 'functions/verify/aggregate.ts', {
      description: 'Aggregates batch results into one verification report',
      timeout: Duration.minutes(1),
    }).bind(table.read(), dataBucket.read(runs, reports), dataBucket.write(runs, reports));
    // reads summary.json; reports.putReport and tenants.markVerified are (conditional) puts/updates; then records the
    // run in the tenant's audit log (reads the head entry, claims the next, copies it to S3, seals a digest when due);
    // tells new incidents, missed deadlines and anomalies on the bus (notifications).
    const persist = this.fn('Persist', 'functions/verify/persist.ts', {
      description: 'Indexes the report summary and records when the tenant is due again',
    }).bind(table.readWrite(), dataBucket.read(runs), resources.auditLog(), resources.eventBus.putEvents());
    // Spans tenants, so no tenant role: strategies.listTenants (the TENANTS index) and tenants.get (each tenant's
    // STATE item), nothing else of the table; starts executions (bound below, once the state machine exists).
    const sweep = this.fn('Sweep', 'functions/verify/sweep.ts', {
      description: 'Starts verify executions for tenants whose verification is due',
      deadLetterQueue: this.deadLetters('SweepFailures', 'verification sweeps (sweep)').queue,
    }).bind(table.crossTenantRead(['dynamodb:Query', 'dynamodb:GetItem'], [TENANT_INDEX, TENANT_STATES]));

    this.stateMachine = new VerifyStateMachine(this, 'VerifyBackups', {
      definitionPath: props.definitionPath ?? defaultVerifyDefinitionPath,
      stateMachineName: stateMachineNameOf(this, VERIFY_WORKFLOW),
      functions: {
        loadStrategy: loadStrategy.function,
        evaluateBatch: evaluateBatch.function,
        aggregate: aggregate.function,
        persist: persist.function,
      },
      eventBus: resources.eventBus.bus,
      alarmTopic: props.alarmTopic,
    });
    sweep.bind(resources.verifyWorkflow.startExecution(this.stateMachine.stateMachine));
    this.functions = { loadStrategy, evaluateBatch, aggregate, persist, sweep };

    const schedule = new ScheduledInvoke(this, 'SweepSchedule', {
      target: sweep.function,
      schedule: props.sweepSchedule ?? ScheduleExpression.rate(Duration.minutes(5)),
      description: 'Reversa: start due backup verifications',
      alarmTopic: props.alarmTopic,
    });
    this.alarms = [...this.stateMachine.alarms, ...this.deadLetterAlarms, schedule.deadLetterQueue.alarm];
  }
}
