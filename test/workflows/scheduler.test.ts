import { describe, expect, it } from 'vitest';
import { startLocalScheduler, toCronerPattern } from '#local/scheduler.ts';

describe('local scheduler', () => {
  it('translates AWS cron: drops the year, ? becomes *, days of week shift from 1-7 to 0-6', () => {
    expect(toCronerPattern('cron(0/5 * * * ? *)')).toBe('0/5 * * * *');
    expect(toCronerPattern('cron(0 8 ? * 2-6 *)')).toBe('0 8 * * 1-5');
    expect(toCronerPattern('cron(15 10 ? * 1,7 *)')).toBe('15 10 * * 0,6');
    expect(toCronerPattern('cron(0 8 ? * 6#3 *)')).toBe('0 8 * * 5#3');
    expect(toCronerPattern('cron(0 8 ? * MON-FRI *)')).toBe('0 8 * * MON-FRI');
  });

  it('translates rate expressions to clock-aligned patterns', () => {
    expect(toCronerPattern('rate(5 minutes)')).toBe('*/5 * * * *');
    expect(toCronerPattern('rate(1 hour)')).toBe('0 */1 * * *');
    expect(toCronerPattern('rate(1 day)')).toBe('0 0 * * *');
  });

  it('rejects expressions it cannot honour instead of firing at the wrong times', () => {
    expect(() => toCronerPattern('rate(7 minutes)')).toThrow(/divide/);
    expect(() => toCronerPattern('cron(0 8 * * ? 2027)')).toThrow(/year/);
    expect(() => toCronerPattern('every 5 minutes')).toThrow(/rate/);
  });

  it('schedules the next 5-minute sweep on the clock grid', () => {
    const scheduler = startLocalScheduler({ expression: 'rate(5 minutes)', run: () => undefined });
    try {
      const next = scheduler.nextRun();
      expect(next).toBeDefined();
      expect((next as Date).getUTCMinutes() % 5).toBe(0);
      expect((next as Date).getUTCSeconds()).toBe(0);
    } finally {
      scheduler.stop();
    }
  });
});
