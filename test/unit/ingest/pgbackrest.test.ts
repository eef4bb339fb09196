import { describe, expect, it } from 'vitest';
import { parseJobReport } from '#core/ingest/detect.ts';
import { fixture, validationErrorOf } from './helpers.ts';

const ctx = (fileName: string) => ({ tenantId: 'acme', fileName, receivedAt: Date.parse('2030-01-01T00:00:00Z') });

describe('pgbackrest info --output=json (captured from a real run)', () => {
  it('turns each backup of a stanza into a COMPLETED job and an AVAILABLE point with epoch-second times', () => {
    const text = fixture('pgbackrest/info-plain.json');
    const info = JSON.parse(text) as {
      backup: { label: string; timestamp: { start: number; stop: number }; info: { size: number } }[];
    }[];
    const full = info[0]!.backup[0]!;

    const { format, batch } = parseJobReport(text, ctx('info-plain.json'));

    expect(format).toBe('pgbackrest-info');
    expect(batch.jobs).toHaveLength(2);
    expect(batch.jobs[0]).toEqual({
      tenantId: 'acme',
      source: 'pgbackrest',
      kind: 'backup',
      jobId: `pgbackrest:demo:${full.label}`,
      resourceId: 'pgbackrest:demo',
      resourceType: 'PostgreSQL',
      state: 'COMPLETED',
      startedAt: full.timestamp.start * 1000,
      completedAt: full.timestamp.stop * 1000,
      sizeBytes: full.info.size,
      recoveryPointId: `pgbackrest:demo:${full.label}`,
      location: 'repo1',
      observedAt: full.timestamp.stop * 1000,
    });
    expect(batch.recoveryPoints.map((p) => p.encrypted)).toEqual([false, false]);
    expect(batch.resources).toEqual([
      expect.objectContaining({ resourceId: 'pgbackrest:demo', resourceType: 'PostgreSQL' }),
    ]);
  });

  it('marks points of an aes-256-cbc repository as encrypted', () => {
    const { batch } = parseJobReport(fixture('pgbackrest/info-cipher.json'), ctx('info-cipher.json'));

    expect(batch.recoveryPoints.length).toBeGreaterThan(0);
    expect(batch.recoveryPoints.every((p) => p.encrypted === true && p.resourceId === 'pgbackrest:demo-enc')).toBe(
      true,
    );
  });

  it('reads a backup flagged with error as PARTIAL, with a status message', () => {
    const info = JSON.parse(fixture('pgbackrest/info-plain.json')) as { backup: { error: boolean }[] }[];
    info[0]!.backup[1]!.error = true;

    const { batch } = parseJobReport(JSON.stringify(info), ctx('info.json'));

    expect(batch.jobs[1]).toMatchObject({ state: 'PARTIAL', statusMessage: expect.stringContaining('flagged') });
    expect(batch.recoveryPoints[1]!.status).toBe('PARTIAL');
  });

  it('names the backup, the field and the expectation when a type is wrong', () => {
    const info = JSON.parse(fixture('pgbackrest/info-plain.json')) as { backup: { type: string }[] }[];
    info[0]!.backup[1]!.type = 'weekly';

    const err = validationErrorOf(() => parseJobReport(JSON.stringify(info, null, 2), ctx('info.json')));

    expect(err.problems[0]).toMatchObject({
      file: 'info.json',
      path: '[0].backup[1].type',
      message: 'expected full, diff or incr',
    });
    expect(err.problems[0]!.line).toBeGreaterThan(50);
  });
});
