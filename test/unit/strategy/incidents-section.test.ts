import { describe, expect, it } from 'vitest';
import { incidentPolicyOf, opensIncident } from '#core/incidents/policy.ts';
import { parseStrategy } from '#core/strategy/parse.ts';
import { problemsOf, VALID } from './helpers.ts';

describe('the incidents section of a strategy', () => {
  it('accepts a recurrence window and the lowest severity that opens an incident', () => {
    const { document } = parseStrategy(
      `${VALID}incidents:\n  recurrenceWindow: 2w\n  fromVerification: medium\n`,
      'acme.yaml',
    );

    const policy = incidentPolicyOf(document.incidents, document.timezone);

    expect(policy.recurrenceWindow).toBe('2w');
    expect(opensIncident(policy, 'medium')).toBe(true);
    expect(opensIncident(policy, 'low')).toBe(false);
  });

  it('defaults to 30 days and high when the section is absent, and opens none with off', () => {
    const defaults = incidentPolicyOf(undefined, 'UTC');
    const off = incidentPolicyOf({ fromVerification: 'off' }, 'UTC');

    expect(defaults.recurrenceWindow).toBe('30d');
    expect([opensIncident(defaults, 'high'), opensIncident(defaults, 'medium')]).toEqual([true, false]);
    expect(opensIncident(off, 'critical')).toBe(false);
  });

  it('names the line, the field and what was expected for a bad value or an unknown key', () => {
    const problems = problemsOf(
      `${VALID}incidents:\n  recurrenceWindow: a month\n  fromVerification: urgent\n  window: 3d\n`,
    );

    expect(problems.map((p) => [p.line, p.path])).toEqual([
      [19, 'incidents.recurrenceWindow'],
      [20, 'incidents.fromVerification'],
      [21, 'incidents.window'],
    ]);
    expect(problems[0]?.message).toMatch(/expected a duration like 15m/);
    expect(problems[1]?.message).toMatch(/expected one of off, low, medium, high, critical/);
    expect(problems[2]?.message).toMatch(/unknown key 'window'/);
  });
});
