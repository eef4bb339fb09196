import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '#core/notifications/standard-webhooks.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { freshHome, reversa } from './cli-support.ts';

const STRATEGY = `apiVersion: reversa/v1
tenant: { id: gamma, name: Gamma SAS }
timezone: UTC
defaults: { rpo: 1h, retention: 7d }
resources:
  - locator: nas://gamma/files
    name: Files
    source: generic
`;

const REPORT = JSON.stringify({
  reversaJobReport: 1,
  tool: 'e2e',
  jobs: [
    {
      id: 'files-10',
      resource: 'nas://gamma/files',
      state: 'COMPLETED',
      startedAt: '2026-11-20T10:00:00Z',
      completedAt: '2026-11-20T10:05:00Z',
      sizeBytes: 1000,
      recoveryPoint: { id: 'files-rp-10' },
    },
  ],
});

const SLACK_TOKEN = 'T0AAAA/B0BBBB/xoxbSecretToken42';

describe('reversa notify on the local cloud', () => {
  let env: Record<string, string>;
  let hooks: WebhookReceiver;
  let slack: WebhookReceiver;
  let generated = '';
  const given = generateSecret();

  beforeAll(async () => {
    env = await freshHome('notify');
    const dir = env.REVERSA_HOME!;
    await writeFile(join(dir, 'gamma.yaml'), STRATEGY);
    await writeFile(join(dir, 'report.json'), REPORT);
    expect((await reversa(['strategy', 'apply', join(dir, 'gamma.yaml')], env)).code).toBe(0);
    expect((await reversa(['ingest', join(dir, 'report.json'), '--tenant', 'gamma'], env)).code).toBe(0);
    hooks = await startWebhookReceiver();
    slack = await startWebhookReceiver();
  });
  afterAll(async () => {
    await hooks.close();
    await slack.close();
  });

  it('adds a webhook with a generated signing secret printed once, one with a secret from stdin, and Slack', async () => {
    const add = await reversa(
      ['notify', 'add', '--tenant', 'gamma', '--webhook', hooks.url('/generated'), '--id', 'ops', '--json'],
      env,
    );
    expect(add.code).toBe(0);
    const out = JSON.parse(add.stdout);
    generated = out.signingSecret;
    expect(generated).toMatch(/^whsec_/);
    expect(out.subscription).toMatchObject({ id: 'ops', channel: 'webhook', target: expect.stringMatching(/\/…$/) });

    const fromStdin = await reversa(
      ['notify', 'add', '--tenant', 'gamma', '--webhook', hooks.url('/given'), '--id', 'audit', '--secret-stdin'],
      env,
      undefined,
      `${given}\n`,
    );
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).not.toContain('whsec_');

    const chat = await reversa(
      ['notify', 'add', '--tenant', 'gamma', '--slack', slack.url(`/services/${SLACK_TOKEN}`)],
      env,
    );
    expect(chat.code).toBe(0);
    expect(chat.stdout).not.toContain(SLACK_TOKEN);
  });

  it('refuses a malformed stdin secret and an unknown event type with exit 2, without echoing the secret', async () => {
    const bad = await reversa(
      ['notify', 'add', '--tenant', 'gamma', '--webhook', hooks.url('/x'), '--secret-stdin'],
      env,
      undefined,
      'not-a-secret-value\n',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected whsec_');
    expect(bad.stderr).not.toContain('not-a-secret-value');
    const events = await reversa(
      ['notify', 'add', '--tenant', 'gamma', '--email', 'ops@example.com', '--events', 'reversa.finding.openned'],
      env,
    );
    expect(events.code).toBe(2);
    expect(events.stderr).toContain("unknown event type 'reversa.finding.openned'");
  });

  it('lists the subscriptions with no secret and no URL token', async () => {
    const list = await reversa(['notify', 'list', '--tenant', 'gamma'], env);
    const json = await reversa(['notify', 'list', '--tenant', 'gamma', '--json'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/ops\s+webhook\s+http:\/\/127\.0\.0\.1:\d+\/…/);
    for (const text of [list.stdout, json.stdout]) {
      for (const secret of [generated, given, SLACK_TOKEN, '/generated', '/given']) expect(text).not.toContain(secret);
    }
    const ids: string[] = JSON.parse(json.stdout).subscriptions.map((s: { id: string }) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['audit', 'ops']));
    expect(ids.filter((id) => id.startsWith('slack-'))).toHaveLength(1);
  });

  it('notify test sends reversa.test to every subscription, signed, and reports each delivery', async () => {
    hooks.setSecret('/generated', generated);
    hooks.setSecret('/given', given);
    const result = await reversa(['notify', 'test', '--tenant', 'gamma', '--json'], env);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.deliveries.map((d: { outcome: string }) => d.outcome)).toEqual([
      'delivered',
      'delivered',
      'delivered',
    ]);

    const generatedHook = hooks.requests.filter((r) => r.path === '/generated');
    expect(generatedHook).toHaveLength(1);
    expect(generatedHook[0]?.signatureOk).toBe(true);
    expect(JSON.parse(generatedHook[0]!.body)).toMatchObject({
      specversion: '1.0',
      type: 'reversa.test',
      id: report.eventId,
    });
    expect(generatedHook[0]?.headers['webhook-id']).toBe(report.eventId);
    expect(JSON.parse(slack.requests[0]!.body).text).toContain('Test notification');
  });

  it('delivers the events of a real verify run: the missed deadline and the incident it opens', async () => {
    const verify = await reversa(['verify', '--tenant', 'gamma', '--at', '2026-11-20T12:00:00Z'], env);
    expect(verify.code).toBe(1);

    const types = hooks.requests.filter((r) => r.path === '/given').map((r) => JSON.parse(r.body).type);
    expect(types).toEqual(expect.arrayContaining(['reversa.finding.opened', 'reversa.backup.deadline-missed']));
    expect(hooks.requests.filter((r) => r.path === '/given').every((r) => r.signatureOk)).toBe(true);
  });

  it('reports a failing endpoint with its next attempt, exit 1, and a delivery log without secrets', async () => {
    hooks.failFirst(1000);
    const test = await reversa(['notify', 'test', '--tenant', 'gamma'], env);
    expect(test.code).toBe(1);
    expect(test.stdout).toMatch(/ops\s+webhook\s+\S+\s+failed\s+503\s+\d{4}-\d{2}-\d{2}T/);

    const log = await reversa(['notify', 'log', '--tenant', 'gamma', '--json'], env);
    expect(log.code).toBe(0);
    const deliveries = JSON.parse(log.stdout).deliveries as { outcome: string; eventType: string }[];
    expect(deliveries.some((d) => d.outcome === 'failed')).toBe(true);
    expect(deliveries.some((d) => d.eventType === 'reversa.finding.opened' && d.outcome === 'delivered')).toBe(true);
    for (const secret of [generated, given, SLACK_TOKEN, '/generated', '/given'])
      expect(log.stdout).not.toContain(secret);
    hooks.failFirst(0);
  });

  it('removes a subscription and its secret; an unknown one is exit 2', async () => {
    expect((await reversa(['notify', 'remove', 'audit', '--tenant', 'gamma'], env)).code).toBe(0);
    const again = await reversa(['notify', 'remove', 'audit', '--tenant', 'gamma'], env);
    expect(again.code).toBe(2);
    const secrets = await reversa(['secret', 'list', '--tenant', 'gamma'], env);
    expect(secrets.stdout).not.toContain('notify/audit');
    expect(secrets.stdout).toContain('notify/ops');
  });
});
