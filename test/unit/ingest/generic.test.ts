import { describe, expect, it } from 'vitest';
import { parseJobReport } from '#core/ingest/detect.ts';
import { fixture, validationErrorOf } from './helpers.ts';

const ctx = (fileName: string) => ({ tenantId: 'acme', fileName, receivedAt: Date.parse('2030-01-01T00:00:00Z') });
const GEN = Date.parse('2026-03-02T04:00:00Z');

describe('generic Reversa job report', () => {
  it('maps jobs, points, copies and tags, observed at the report time', () => {
    const { format, batch } = parseJobReport(fixture('generic/daily.json'), ctx('daily.json'));

    expect(format).toBe('generic');
    expect(batch.jobs.map((j) => [j.jobId, j.state, j.kind])).toEqual([
      ['erp-2026-03-02', 'FAILED', 'backup'],
      ['nas-2026-03-02', 'COMPLETED', 'backup'],
      ['nas-2026-03-02-copy', 'COMPLETED', 'copy'],
    ]);
    expect(batch.jobs.every((j) => j.observedAt === GEN && j.source === 'generic')).toBe(true);
    expect(batch.jobs[0]!.statusMessage).toBe('snapshot quiescing failed');
    expect(batch.jobs[2]!.sourceRecoveryPointId).toBe('nas-snap-2026-03-02');
    expect(batch.recoveryPoints.find((p) => p.recoveryPointId === 'nas-snap-2026-03-02')).toEqual({
      tenantId: 'acme',
      source: 'generic',
      recoveryPointId: 'nas-snap-2026-03-02',
      resourceId: 'nas:filer01:/volume1/share',
      resourceType: 'NAS',
      status: 'AVAILABLE',
      createdAt: Date.parse('2026-03-02T01:00:00Z'), // no createdAt in the report: the job's start
      sizeBytes: 53687091200,
      encrypted: true,
      encryptionKeyId: 'vault:transit/keys/nas',
      location: 's3://acme-backups-offsite',
      region: 'eu-west-3',
      offsite: true,
      deleteAt: Date.parse('2026-04-06T01:00:00Z'),
      immutableUntil: Date.parse('2026-04-01T01:00:00Z'),
      lockMode: 'object-lock',
      observedAt: GEN,
    });
    expect(batch.recoveryPoints.find((p) => p.copyOf)?.recoveryPointId).toBe('nas-snap-2026-03-02@tape');
    expect(batch.resources.find((r) => r.resourceId === 'nas:filer01:/volume1/share')?.tags).toEqual({
      backup: 'daily',
      owner: 'it',
    });
  });

  it('reads the NDJSON form: a header line, then one job per line', () => {
    const { format, batch } = parseJobReport(fixture('generic/daily.ndjson'), ctx('daily.ndjson'));

    expect(format).toBe('generic-ndjson');
    expect(batch.jobs.map((j) => j.jobId)).toEqual(['crm-2026-03-02', 'erp-2026-03-02']);
    expect(batch.recoveryPoints[0]).toMatchObject({
      recoveryPointId: 'crm-2026-03-02',
      status: 'AVAILABLE',
      encrypted: true,
    });
  });

  it('gives the same batch whatever the order of the jobs, and for a job listed twice', () => {
    const doc = JSON.parse(fixture('generic/daily.json')) as { jobs: unknown[] };
    const shuffled = { ...doc, jobs: [doc.jobs[2], doc.jobs[0], doc.jobs[1], doc.jobs[0]] };

    expect(parseJobReport(JSON.stringify(shuffled), ctx('x.json')).batch).toEqual(
      parseJobReport(fixture('generic/daily.json'), ctx('x.json')).batch,
    );
  });

  it('names the job, field, line and expected values for a wrong state', () => {
    const doc = JSON.parse(fixture('generic/daily.json')) as { jobs: { state: string }[] };
    doc.jobs[2]!.state = 'DONE';
    const text = JSON.stringify(doc, null, 2);

    const err = validationErrorOf(() => parseJobReport(text, ctx('inbox/acme/daily.json')));

    expect(err.code).toBe('InvalidJobReport');
    expect(err.problems).toHaveLength(1);
    const p = err.problems[0]!;
    expect(p).toMatchObject({ file: 'inbox/acme/daily.json', path: 'jobs[2].state' });
    expect(p.message).toContain('COMPLETED|FAILED');
    expect(text.split('\n')[p.line! - 1]).toContain('"DONE"');
  });

  it('rejects unknown fields (strict schema), naming the field', () => {
    const doc = JSON.parse(fixture('generic/daily.json')) as { jobs: Record<string, unknown>[] };
    doc.jobs[0]!.stat = 'COMPLETED';

    const err = validationErrorOf(() => parseJobReport(JSON.stringify(doc), ctx('d.json')));

    expect(err.problems).toContainEqual(expect.objectContaining({ path: 'jobs[0].stat', message: 'unknown field' }));
  });

  it('rejects a timestamp without zone and a completion before the start', () => {
    const doc = JSON.parse(fixture('generic/daily.json')) as { jobs: Record<string, unknown>[] };
    doc.jobs[0]!.startedAt = '2026-03-02 01:00:00';
    doc.jobs[1]!.completedAt = '2026-03-01T00:00:00Z';

    const err = validationErrorOf(() => parseJobReport(JSON.stringify(doc), ctx('d.json')));

    expect(err.problems.map((p) => p.path)).toEqual(['jobs[0].startedAt']);
    doc.jobs[0]!.startedAt = '2026-03-02T01:00:00Z';
    const err2 = validationErrorOf(() => parseJobReport(JSON.stringify(doc), ctx('d.json')));
    expect(err2.problems).toEqual([
      expect.objectContaining({ path: 'jobs[1].completedAt', message: 'must not be before startedAt' }),
    ]);
  });

  it('points at the line of a broken NDJSON job', () => {
    const lines = fixture('generic/daily.ndjson').trim().split('\n');
    lines[2] = lines[2]!.replace('"COMPLETED"', '"OK"');

    const err = validationErrorOf(() => parseJobReport(lines.join('\n'), ctx('d.ndjson')));

    expect(err.problems[0]).toMatchObject({ file: 'd.ndjson', line: 3, path: 'state' });
  });
});
