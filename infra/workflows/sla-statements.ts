import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import type { ReversaFunction } from '../constructs/reversa-function.ts';
import { ScheduledInvoke } from '../constructs/scheduled-invoke.ts';
import { TENANT_INDEX } from '../partitions.ts';
import { WorkflowConstruct, type WorkflowProps } from './workflow.ts';

export interface SlaStatementsProps extends WorkflowProps {
  /**
   * When the statements of the period just ended are issued.
   * @default cron(0 6 2 * ? *): the 2nd of each month at 06:00 UTC, when the month is over in every timezone
   */
  readonly schedule?: ScheduleExpression;
}

/**
 * The monthly SLA statements: one function (functions/sla/issue.ts → core/use-cases/sla-statement.ts) that lists
 * the tenants with its own role (the TENANTS index only) and, for each one through its tenant-access role, reads the
 * verification history, restore tests, incidents and dossier versions, writes the statement under `sla/<tenant>/`
 * and appends the signed 'sla-statement' entry to the tenant's audit log; and its schedule with a dead-letter queue.
 */
export class SlaStatements extends WorkflowConstruct {
  readonly function: ReversaFunction;
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: SlaStatementsProps) {
    super(scope, id, props, 'reversa-sla');
    const { table, dataBucket } = props.resources;
    // Table: strategies, reports index, restore tests, findings, dossier versions (reads) and the audit entries
    // (conditional puts); data bucket: the full reports (read) and sla/<tenant>/ (list the versions, read, write).
    this.function = this.fn('IssueSlaStatements', 'functions/sla/issue.ts', {
      description: 'Issues the SLA statements of the measurement period just ended',
      memorySize: 1024,
      timeout: Duration.minutes(15),
      deadLetterQueue: this.deadLetters('SlaFailures', 'SLA statement runs (issue)').queue,
    }).bind(
      table.readWrite(),
      table.crossTenantRead(['dynamodb:Query'], [TENANT_INDEX]),
      dataBucket.read('reports/', 'sla/'),
      dataBucket.write('sla/'),
      dataBucket.list('sla/'),
      props.resources.auditLog(),
    );
    const schedule = new ScheduledInvoke(this, 'SlaSchedule', {
      target: this.function.function,
      schedule: props.schedule ?? ScheduleExpression.cron({ minute: '0', hour: '6', day: '2' }),
      description: 'Reversa: issue the SLA statements of the period just ended',
      alarmTopic: props.alarmTopic,
      maxEventAge: Duration.hours(6),
    });
    this.alarms = [...this.deadLetterAlarms, schedule.deadLetterQueue.alarm];
  }
}
