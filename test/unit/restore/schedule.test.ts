import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type SchedulerApi,
  SchedulerScheduleManager,
  scheduleInput,
  sdkSchedulerApi,
} from '#adapters/aws/scheduler-schedule-manager.ts';
import { RESTORE_SCHEDULE_GROUP, rateExpression, scheduleName, schedulesFor } from '#core/restore/schedule.ts';
import { parseStrategy } from '#core/strategy/parse.ts';

const doc = (tenant: string, policies: string[]) =>
  parseStrategy(
    [
      'apiVersion: reversa/v1',
      `tenant: { id: ${tenant}, name: T }`,
      'timezone: Europe/Paris',
      'defaults: { rpo: 24h, retention: 7d }',
      'resources: [{ locator: "files:a", source: generic }]',
      'restoreTests:',
      '  policies:',
      ...policies,
    ].join('\n'),
    's.yaml',
  ).document;

const weekly = [
  '    - { name: weekly, source: generic, runner: s3-archive, schedule: { cron: "0 3 ? * SUN *" }, maxRto: 1h,',
  '        archive: { bucket: b, key: "k/{recoveryPointId}.tar" } }',
];
const every = [
  '    - { name: every-week, source: generic, runner: s3-archive, schedule: { every: 2w }, maxRto: 1h,',
  '        archive: { bucket: b, key: "k/{recoveryPointId}.tar" } }',
];

describe('restore-test schedules derived from the policies', () => {
  it('gives each policy a cron or rate schedule in the strategy timezone with the tenant and policy as input', () => {
    const schedules = schedulesFor(doc('acme', [...weekly, ...every]), 'acme');

    expect(schedules.map((s) => [s.expression, s.timezone, s.input])).toEqual(
      expect.arrayContaining([
        ['cron(0 3 ? * SUN *)', 'Europe/Paris', { tenantId: 'acme', policyName: 'weekly' }],
        ['rate(14 days)', 'Europe/Paris', { tenantId: 'acme', policyName: 'every-week' }],
      ]),
    );
    expect(schedules.every((s) => s.name.startsWith('rt.acme.'))).toBe(true);
  });

  it('keeps names deterministic, at most 64 characters, and distinct between tenants sharing a prefix', () => {
    const long = 'a'.repeat(63);

    expect(scheduleName('acme', 'weekly')).toBe(scheduleName('acme', 'weekly'));
    expect(scheduleName(long, 'p'.repeat(128)).length).toBeLessThanOrEqual(64);
    expect(scheduleName('acme', 'x').length).toBeLessThanOrEqual(64);
    expect(scheduleName('acme-2', 'weekly').startsWith('rt.acme.')).toBe(false);
  });

  it('writes singular and plural rates as Scheduler expects', () => {
    expect(rateExpression('1d')).toBe('rate(1 day)');
    expect(rateExpression('12h')).toBe('rate(12 hours)');
    expect(rateExpression('1y')).toBe('rate(365 days)');
  });
});

function fakeScheduler(initial: Record<string, { ScheduleExpression: string; Input: string }>) {
  const store = new Map(Object.entries(initial));
  const calls: string[] = [];
  const api: SchedulerApi = {
    listSchedules: async (i) => ({
      Schedules: [...store.keys()].filter((n) => n.startsWith(i.NamePrefix)).map((Name) => ({ Name })),
    }),
    getSchedule: async (i) => {
      const s = store.get(i.Name)!;
      return {
        ScheduleExpression: s.ScheduleExpression,
        ScheduleExpressionTimezone: 'Europe/Paris',
        Target: { Arn: 'arn:dispatch', RoleArn: 'arn:role', Input: s.Input },
        State: 'ENABLED',
      };
    },
    createSchedule: async (i) => {
      calls.push(`create ${i.Name} ${i.GroupName}`);
      store.set(i.Name, { ScheduleExpression: i.ScheduleExpression, Input: i.Target.Input });
    },
    updateSchedule: async (i) => {
      calls.push(`update ${i.Name}`);
    },
    deleteSchedule: async (i) => {
      calls.push(`delete ${i.Name}`);
      store.delete(i.Name);
    },
  };
  return { api, calls };
}

describe('SchedulerScheduleManager.sync', () => {
  it('creates missing schedules, updates changed ones, deletes stale ones of the tenant and leaves others alone', async () => {
    const all = schedulesFor(doc('acme', [...weekly, ...every]), 'acme');
    const w = all.find((s) => s.input.policyName === 'weekly');
    const e = all.find((s) => s.input.policyName === 'every-week');
    const { api, calls } = fakeScheduler({
      [e!.name]: { ScheduleExpression: 'rate(7 days)', Input: scheduleInput(e!) },
      [scheduleName('acme', 'removed-policy')]: { ScheduleExpression: 'rate(1 day)', Input: '{}' },
      [scheduleName('acme-2', 'weekly')]: { ScheduleExpression: 'rate(1 day)', Input: '{}' },
    });
    const manager = new SchedulerScheduleManager({ api, dispatcherArn: 'arn:dispatch', roleArn: 'arn:role' });

    const result = await manager.sync('acme', [w!, e!]);

    expect(result).toEqual({
      created: [w!.name],
      updated: [e!.name],
      deleted: [scheduleName('acme', 'removed-policy')],
    });
    expect(calls[0]).toBe(`create ${w!.name} ${RESTORE_SCHEDULE_GROUP}`);
    expect(JSON.parse(manager.request(w!).Target.Input)).toEqual({
      tenantId: 'acme',
      policyName: 'weekly',
      scheduledAt: '<aws.scheduler.scheduled-time>',
    });
    expect(await manager.sync('acme', [w!, e!])).toEqual({ created: [], updated: [e!.name], deleted: [] });
  });
});

describe('SchedulerScheduleManager on the Scheduler SDK client', () => {
  const scheduler = mockClient(SchedulerClient);
  afterEach(() => scheduler.reset());

  it('sends CreateSchedule for a new policy and DeleteSchedule for a removed one, in the reversa group', async () => {
    const [w] = schedulesFor(doc('acme', weekly), 'acme');
    const stale = scheduleName('acme', 'removed-policy');
    scheduler.on(ListSchedulesCommand).resolves({ Schedules: [{ Name: stale }] });
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });
    scheduler.on(DeleteScheduleCommand).resolves({});
    const manager = new SchedulerScheduleManager({
      api: await sdkSchedulerApi(new SchedulerClient({ region: 'eu-west-3' })),
      dispatcherArn: 'arn:aws:lambda:eu-west-3:111122223333:function:dispatch',
      roleArn: 'arn:aws:iam::111122223333:role/scheduler',
    });

    const result = await manager.sync('acme', [w!]);

    expect(result).toEqual({ created: [w!.name], updated: [], deleted: [stale] });
    const create = scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input;
    expect(create).toMatchObject({
      Name: w!.name,
      GroupName: RESTORE_SCHEDULE_GROUP,
      ScheduleExpressionTimezone: 'Europe/Paris',
      Target: {
        Arn: 'arn:aws:lambda:eu-west-3:111122223333:function:dispatch',
        RoleArn: 'arn:aws:iam::111122223333:role/scheduler',
      },
    });
    expect(scheduler.commandCalls(DeleteScheduleCommand)[0]!.args[0].input).toEqual({
      Name: stale,
      GroupName: RESTORE_SCHEDULE_GROUP,
    });
  });

  it('maps throttling to a retryable TransientError', async () => {
    const [w] = schedulesFor(doc('acme', weekly), 'acme');
    scheduler.on(ListSchedulesCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const manager = new SchedulerScheduleManager({
      api: await sdkSchedulerApi(new SchedulerClient({ region: 'eu-west-3' })),
      dispatcherArn: 'arn:d',
      roleArn: 'arn:r',
    });

    await expect(manager.sync('acme', [w!])).rejects.toMatchObject({ name: 'TransientError', retryable: true });
  });
});
