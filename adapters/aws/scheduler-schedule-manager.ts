import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
/**
 * ScheduleManager on EventBridge Scheduler: keeps the schedules of one tenant in the group
 * `reversa-restore-tests` equal to what its strategy asks for (core/restore/schedule.ts). Each
 * schedule invokes the dispatcher Lambda with { tenantId, policyName, scheduledAt } where
 * scheduledAt is Scheduler's `<aws.scheduler.scheduled-time>` context attribute: the slot, which is
 * part of each test's id, so a delivery retried by Scheduler starts nothing new.
 *
 * @aws-sdk/client-scheduler is not a dependency of this repository yet, so the adapter is written
 * against the four operations it needs (SchedulerApi, shaped like the SDK's inputs and outputs) and
 * `sdkSchedulerApi()` loads the SDK at run time (the Lambda Node.js runtime ships it).
 */
import { ConfigError, TransientError } from '#core/errors.ts';
import {
  RESTORE_SCHEDULE_GROUP,
  type RestoreSchedule,
  type ScheduleManager,
  schedulePrefix,
} from '#core/restore/schedule.ts';
import { classifySdkError } from './sdk-errors.ts';

export interface ScheduleTarget {
  Arn: string;
  RoleArn: string;
  Input: string;
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
}

export interface ScheduleRequest {
  Name: string;
  GroupName: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone: string;
  FlexibleTimeWindow: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number };
  Target: ScheduleTarget;
  State: 'ENABLED' | 'DISABLED';
  Description?: string;
}

/** The Scheduler operations used (same field names as @aws-sdk/client-scheduler's commands). */
export interface SchedulerApi {
  listSchedules(input: { GroupName: string; NamePrefix: string; NextToken?: string }): Promise<{
    Schedules?: { Name?: string }[];
    NextToken?: string;
  }>;
  getSchedule(input: { Name: string; GroupName: string }): Promise<Partial<ScheduleRequest>>;
  createSchedule(input: ScheduleRequest): Promise<unknown>;
  updateSchedule(input: ScheduleRequest): Promise<unknown>;
  deleteSchedule(input: { Name: string; GroupName: string }): Promise<unknown>;
}

export interface SchedulerScheduleManagerOptions {
  api: SchedulerApi;
  /** The dispatcher Lambda (functions/restore/dispatch.ts). */
  dispatcherArn: string;
  /** Role Scheduler assumes to invoke it. */
  roleArn: string;
  groupName?: string;
}

/** The Target.Input of a schedule: the slot comes from Scheduler itself. */
export function scheduleInput(schedule: RestoreSchedule): string {
  return JSON.stringify({ ...schedule.input, scheduledAt: '<aws.scheduler.scheduled-time>' });
}

function mapError(error: unknown, what: string): never {
  const name = error instanceof Error ? error.name : 'Unknown';
  if (classifySdkError(error).kind === 'transient')
    throw new TransientError('SchedulerUnavailable', `${what} failed: ${name}`, { cause: error });
  throw new ConfigError('SchedulerFailed', `${what} failed: ${name}`, { cause: error });
}

export class SchedulerScheduleManager implements ScheduleManager {
  private readonly group: string;
  constructor(private readonly options: SchedulerScheduleManagerOptions) {
    this.group = options.groupName ?? RESTORE_SCHEDULE_GROUP;
  }

  request(schedule: RestoreSchedule): ScheduleRequest {
    return {
      Name: schedule.name,
      GroupName: this.group,
      ScheduleExpression: schedule.expression,
      ScheduleExpressionTimezone: schedule.timezone,
      // Tests start on the slot: the slot is part of the test id, a flexible window would not change it.
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: this.options.dispatcherArn,
        RoleArn: this.options.roleArn,
        Input: scheduleInput(schedule),
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
      },
      State: 'ENABLED',
      Description:
        `Reversa restore tests: tenant ${schedule.input.tenantId}, policy ${schedule.input.policyName}`.slice(0, 512),
    };
  }

  private async existing(tenantId: string): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.options.api
        .listSchedules({
          GroupName: this.group,
          NamePrefix: schedulePrefix(tenantId),
          ...(token === undefined ? {} : { NextToken: token }),
        })
        .catch((e: unknown) => mapError(e, 'ListSchedules'));
      for (const s of page.Schedules ?? []) if (s.Name) names.push(s.Name);
      token = page.NextToken;
    } while (token !== undefined);
    return names;
  }

  async sync(tenantId: string, schedules: readonly RestoreSchedule[]) {
    const current = new Set(await this.existing(tenantId));
    const wanted = new Map(schedules.map((s) => [s.name, s]));
    const created: string[] = [];
    const updated: string[] = [];
    const deleted: string[] = [];
    for (const [name, schedule] of wanted) {
      const request = this.request(schedule);
      if (!current.has(name)) {
        await this.options.api.createSchedule(request).catch((e: unknown) => mapError(e, 'CreateSchedule'));
        created.push(name);
        continue;
      }
      const now = await this.options.api
        .getSchedule({ Name: name, GroupName: this.group })
        .catch((e: unknown) => mapError(e, 'GetSchedule'));
      const same =
        now.ScheduleExpression === request.ScheduleExpression &&
        now.ScheduleExpressionTimezone === request.ScheduleExpressionTimezone &&
        now.Target?.Arn === request.Target.Arn &&
        now.Target?.Input === request.Target.Input &&
        now.State === request.State;
      if (!same) {
        await this.options.api.updateSchedule(request).catch((e: unknown) => mapError(e, 'UpdateSchedule'));
        updated.push(name);
      }
    }
    for (const name of [...current].sort()) {
      if (wanted.has(name)) continue;
      await this.options.api
        .deleteSchedule({ Name: name, GroupName: this.group })
        .catch((e: unknown) => mapError(e, 'DeleteSchedule'));
      deleted.push(name);
    }
    return { created, updated, deleted };
  }
}

/** SchedulerApi on @aws-sdk/client-scheduler (a client can be injected, e.g. for tests). */
export async function sdkSchedulerApi(client: SchedulerClient = new SchedulerClient({})): Promise<SchedulerApi> {
  return {
    // The SDK's outputs mark every field optional-or-undefined; the port reads them defensively anyway.
    listSchedules: (input) =>
      client.send(new ListSchedulesCommand(input)) as unknown as ReturnType<SchedulerApi['listSchedules']>,
    getSchedule: (input) =>
      client.send(new GetScheduleCommand(input)) as unknown as ReturnType<SchedulerApi['getSchedule']>,
    createSchedule: (input) => client.send(new CreateScheduleCommand(input)),
    updateSchedule: (input) => client.send(new UpdateScheduleCommand(input)),
    deleteSchedule: (input) => client.send(new DeleteScheduleCommand(input)),
  };
}
