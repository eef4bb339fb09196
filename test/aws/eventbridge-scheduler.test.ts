/**
 * EventBridgePublisher and SchedulerScheduleManager against moto. An event put on the bus is matched by an
 * archive's event pattern on source, detail-type and a detail field, which proves the entry is the shape rules
 * match on. The restore-test schedules of a real strategy are created, updated and deleted in their group,
 * and read back as Scheduler stores them.
 */
import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  DescribeArchiveCommand,
  EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import { CreateScheduleGroupCommand, GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import { EventBridgePublisher } from '#adapters/aws/eventbridge-publisher.ts';
import { SchedulerScheduleManager, sdkSchedulerApi } from '#adapters/aws/scheduler-schedule-manager.ts';
import { schedulesFor } from '#core/restore/schedule.ts';
import { parseStrategy } from '#core/strategy/parse.ts';
import { MOTO_ACCOUNT_ID, MOTO_REGION, uniqueName } from './support.ts';

describe('EventBridgePublisher on moto', () => {
  it('puts an event that a rule on source, detail-type and detail.tenantId matches, and nothing else', async () => {
    const events = new EventBridgeClient({});
    const bus = uniqueName('reversa');
    const tenant = uniqueName('acme');
    const created = await events.send(new CreateEventBusCommand({ Name: bus }));
    const archive = uniqueName('findings');
    await events.send(
      new CreateArchiveCommand({
        ArchiveName: archive,
        EventSourceArn: created.EventBusArn,
        EventPattern: JSON.stringify({
          source: ['reversa'],
          'detail-type': ['Verification Completed'],
          detail: { tenantId: [tenant] },
        }),
      }),
    );
    const publisher = new EventBridgePublisher({ eventBusName: bus, client: events });

    await publisher.publish('Verification Completed', { tenantId: tenant, compliancePercent: 83.5 });
    await publisher.publish('Verification Completed', { tenantId: 'someone-else' });
    await publisher.publish('Restore Test Completed', { tenantId: tenant });

    const described = await events.send(new DescribeArchiveCommand({ ArchiveName: archive }));
    expect(described.EventCount).toBe(1);
  });

  it('fails, without retrying as transient, when the bus does not exist', async () => {
    const publisher = new EventBridgePublisher({ eventBusName: uniqueName('missing') });

    await expect(publisher.publish('Verification Completed', {})).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

const strategy = (tenant: string, policies: string[]) =>
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
    'strategy.yaml',
  ).document;

const policy = (name: string, schedule: string) =>
  `    - { name: ${name}, source: generic, runner: s3-archive, schedule: ${schedule}, maxRto: 1h, archive: { bucket: b, key: "k/{recoveryPointId}.tar" } }`;

describe('SchedulerScheduleManager on moto', () => {
  it("creates, updates and deletes a tenant's restore-test schedules as its strategy changes, and no one else's", async () => {
    const scheduler = new SchedulerClient({});
    const group = uniqueName('reversa-restore-tests');
    await scheduler.send(new CreateScheduleGroupCommand({ Name: group }));
    const [tenant, neighbour] = [uniqueName('acme'), uniqueName('acme')];
    const manager = new SchedulerScheduleManager({
      api: await sdkSchedulerApi(scheduler),
      dispatcherArn: `arn:aws:lambda:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:function:restore-dispatch`,
      roleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/restore-scheduler`,
      groupName: group,
    });
    const weekly = policy('weekly', '{ cron: "0 3 ? * SUN *" }');
    const monthly = policy('monthly', '{ cron: "0 4 1 * ? *" }');
    await manager.sync(neighbour, schedulesFor(strategy(neighbour, [weekly]), neighbour));

    const first = await manager.sync(tenant, schedulesFor(strategy(tenant, [weekly, monthly]), tenant));
    const unchanged = await manager.sync(tenant, schedulesFor(strategy(tenant, [weekly, monthly]), tenant));
    const moved = policy('weekly', '{ cron: "0 5 ? * SAT *" }');
    const changed = await manager.sync(tenant, schedulesFor(strategy(tenant, [moved]), tenant));

    expect([first.created.length, first.updated, first.deleted]).toEqual([2, [], []]);
    expect(unchanged).toEqual({ created: [], updated: [], deleted: [] });
    expect([changed.created, changed.updated.length, changed.deleted.length]).toEqual([[], 1, 1]);
    const [name] = changed.updated;
    const stored = await scheduler.send(new GetScheduleCommand({ Name: name, GroupName: group }));
    expect(stored).toMatchObject({
      ScheduleExpression: 'cron(0 5 ? * SAT *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: { Arn: expect.stringContaining(':function:restore-dispatch') },
    });
    expect(JSON.parse(stored.Target?.Input ?? '{}')).toEqual({
      tenantId: tenant,
      policyName: 'weekly',
      scheduledAt: '<aws.scheduler.scheduled-time>',
    });
    // The neighbour's schedule, in the same group, was neither listed as the tenant's nor deleted.
    const theirs = schedulesFor(strategy(neighbour, [weekly]), neighbour)[0]?.name;
    await expect(scheduler.send(new GetScheduleCommand({ Name: theirs, GroupName: group }))).resolves.toMatchObject({
      Name: theirs,
    });
  });
});
