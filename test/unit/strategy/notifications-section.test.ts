import { describe, expect, it } from 'vitest';
import { parseStrategy } from '#core/strategy/parse.ts';
import { declaredSubscription } from '#core/use-cases/notify.ts';
import { problemsOf, VALID } from './helpers.ts';

const withSection = (yaml: string) => `${VALID}notifications:\n${yaml}`;

describe('the notifications section of the strategy', () => {
  it('accepts webhook, Slack and e-mail subscriptions with secrets by reference', () => {
    const { document } = parseStrategy(
      withSection(`  subscriptions:
    - id: ops-hook
      webhook: { secret: notify/ops-hook }
      events: [reversa.restore-test.failed, reversa.finding.opened]
      minSeverity: high
    - id: chat
      slack: { secret: slack-ops }
    - id: mail
      email: ops@example.com
`),
      'acme.yaml',
    );
    const subs = document.notifications?.subscriptions ?? [];
    expect(subs.map((s) => declaredSubscription('acme', s, '2026-11-01T00:00:00.000Z'))).toMatchObject([
      { id: 'ops-hook', channel: 'webhook', secretName: 'notify/ops-hook', minSeverity: 'high', origin: 'strategy' },
      { id: 'chat', channel: 'slack', secretName: 'slack-ops', target: 'secret slack-ops' },
      { id: 'mail', channel: 'email', target: 'ops@example.com' },
    ]);
  });

  it('refuses an inline URL or secret: only a reference is allowed, with the line of the key', () => {
    const problems = problemsOf(
      withSection(`  subscriptions:
    - id: ops-hook
      webhook: { secret: notify/ops, url: "https://hooks.example.com/x" }
`),
    );
    expect(problems).toMatchObject([
      {
        line: 21,
        path: 'notifications.subscriptions[0].webhook.url',
        message: expect.stringContaining("unknown key 'url'"),
      },
    ]);
  });

  it('refuses unknown event types and severities, two channels, and a repeated id', () => {
    const problems = problemsOf(
      withSection(`  subscriptions:
    - id: a
      email: ops@example.com
      events: [reversa.finding.openned]
      minSeverity: urgent
    - id: a
      email: ops@example.com
      slack: { secret: s }
`),
    );
    const paths = problems.map((p) => p.path);
    expect(paths).toContain('notifications.subscriptions[0].events[0]');
    expect(paths).toContain('notifications.subscriptions[0].minSeverity');
    expect(problems.map((p) => p.message)).toContain('expected exactly one of webhook, slack or email');
  });
});
