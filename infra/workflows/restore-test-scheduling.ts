import { Stack, Validations } from 'aws-cdk-lib';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { RESTORE_SCHEDULE_GROUP } from '#core/restore/schedule.ts';
import type { ReversaFunction } from '../constructs/reversa-function.ts';
import { applyGrants } from '../grants.ts';
import { acknowledgeWildcardResource } from '../nag.ts';
import { keepChildLogicalIds } from './workflow.ts';

export interface RestoreTestSchedulingProps {
  /** What the schedules invoke: the restore-test dispatcher. */
  readonly dispatcher: ReversaFunction;
}

/**
 * Where the restore-test schedules live and what they run with: the `reversa-restore-tests` schedule group, the role
 * the schedules invoke the dispatcher with (trust limited to schedules of that group), and a managed policy holding
 * what syncing them needs. CloudFormation creates none of the schedules: `reversa strategy apply` derives one per
 * restore-test policy (core/restore/schedule.ts), so they follow the strategies, not the deployments.
 */
export class RestoreTestScheduling extends Construct {
  readonly scheduleGroup: ScheduleGroup;
  /** Role the schedules invoke the dispatcher with (the CLI reads its ARN: RestoreSchedulerRoleArn). */
  readonly schedulerRole: Role;
  /** Attach to whoever runs `reversa strategy apply`: creates, updates, deletes and lists the schedules. */
  readonly syncPolicy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: RestoreTestSchedulingProps) {
    super(scope, id);
    keepChildLogicalIds(this);
    const stack = Stack.of(this);
    this.scheduleGroup = new ScheduleGroup(this, 'RestoreScheduleGroup', { scheduleGroupName: RESTORE_SCHEDULE_GROUP });
    const schedulesInGroup = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${RESTORE_SCHEDULE_GROUP}/*`,
    });
    this.schedulerRole = new Role(this, 'RestoreSchedulerRole', {
      description: 'Lets the restore-test schedules (EventBridge Scheduler) invoke the restore-test dispatcher',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': schedulesInGroup },
        },
      }),
    });
    applyGrants(this.schedulerRole, [
      { on: 'external', actions: ['lambda:InvokeFunction'], resources: [props.dispatcher.functionArn] },
    ]);
    this.syncPolicy = new ManagedPolicy(this, 'RestoreScheduleSyncPolicy', {
      description: 'Reversa: create, update, delete and list restore-test schedules (reversa strategy apply)',
      statements: [
        new PolicyStatement({
          actions: [
            'scheduler:CreateSchedule',
            'scheduler:UpdateSchedule',
            'scheduler:DeleteSchedule',
            'scheduler:GetSchedule',
          ],
          resources: [schedulesInGroup],
        }),
        // ListSchedules supports no resource-level permission; the adapter always filters by group and name prefix.
        new PolicyStatement({ actions: ['scheduler:ListSchedules'], resources: ['*'] }),
        new PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [this.schedulerRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      ],
    });
    acknowledgeWildcardResource(
      this.syncPolicy,
      schedulesInGroup,
      `Schedules are named per tenant and policy (rt.<tenant>.<policy>); the grant stops at the ${RESTORE_SCHEDULE_GROUP} group.`,
    );
    Validations.of(this.syncPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'scheduler:ListSchedules supports no resource-level permission; the adapter lists one group and name prefix.',
    });
  }
}
