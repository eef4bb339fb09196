import { describe, expect, it } from 'vitest';
import { ValidationError } from '#core/errors.ts';
import { parseJobReport } from '#core/ingest/detect.ts';
import { DEFAULT_INGEST_LIMITS } from '#core/ingest/limits.ts';
import { quarantineKeys, quarantineRecord } from '#core/ingest/quarantine.ts';
import { fixture, validationErrorOf } from './helpers.ts';

const ctx = (fileName: string, limits = DEFAULT_INGEST_LIMITS) => ({
  tenantId: 'acme',
  fileName,
  receivedAt: Date.parse('2030-01-01T00:00:00Z'),
  limits,
});

describe('format detection', () => {
  it('recognises every format from its content alone, whatever the file name', () => {
    expect(parseJobReport(fixture('generic/daily.json'), ctx('a.txt')).format).toBe('generic');
    expect(parseJobReport(fixture('generic/daily.ndjson'), ctx('a.txt')).format).toBe('generic-ndjson');
    expect(parseJobReport(fixture('pgbackrest/info-plain.json'), ctx('a.txt')).format).toBe('pgbackrest-info');
    expect(parseJobReport('[]', ctx('a.txt'))).toEqual({
      format: 'empty',
      batch: { jobs: [], recoveryPoints: [], resources: [] },
    });
  });

  it('accepts a UTF-8 byte order mark', () => {
    expect(parseJobReport(`\ufeff${fixture('generic/daily.json')}`, ctx('bom.json')).format).toBe('generic');
  });

  it('says which formats it expected for an unknown JSON document', () => {
    const err = validationErrorOf(() => parseJobReport('{"hello":"world"}', ctx('x.json')));

    expect(err.problems[0]!.message).toContain('reversaJobReport');
    expect(err.problems[0]!.file).toBe('x.json');
  });

  it('locates a JSON syntax error without echoing the report content', () => {
    const err = validationErrorOf(() =>
      parseJobReport('{\n  "reversaJobReport": 1,\n  "tool": "secret-token-xyz" oops\n}', ctx('x.json')),
    );

    expect(err.problems[0]).toMatchObject({ file: 'x.json', line: 3 });
    expect(err.message).not.toContain('secret-token-xyz');
  });

  it('rejects an empty report', () => {
    expect(validationErrorOf(() => parseJobReport('  \n', ctx('e.json'))).problems[0]!.message).toContain('empty');
  });
});

describe('limits', () => {
  it('rejects an oversized report before parsing it, naming the limit', () => {
    const limits = { ...DEFAULT_INGEST_LIMITS, maxReportBytes: 1000 };
    // Not even JSON: a size error proves the size check ran first.
    const err = validationErrorOf(() => parseJobReport('x'.repeat(1001), ctx('big.json', limits)));

    expect(err.code).toBe('ReportTooLarge');
    expect(err.problems[0]!.message).toContain('maxReportBytes=1000');
  });

  it('counts UTF-8 bytes, not characters', () => {
    const limits = { ...DEFAULT_INGEST_LIMITS, maxReportBytes: 1000 };

    expect(validationErrorOf(() => parseJobReport('é'.repeat(501), ctx('big.json', limits))).code).toBe(
      'ReportTooLarge',
    );
  });

  it('rejects too many jobs before validating any of them', () => {
    const limits = { ...DEFAULT_INGEST_LIMITS, maxJobs: 2 };
    const doc = { reversaJobReport: 1, tool: 't', jobs: [1, 2, 3] };

    const err = validationErrorOf(() => parseJobReport(JSON.stringify(doc), ctx('many.json', limits)));

    expect(err.code).toBe('ReportTooLarge');
    expect(err.problems[0]!.message).toContain('maxJobs=2');
  });

  it('rejects an NDJSON report with too many lines from a line count', () => {
    const limits = { ...DEFAULT_INGEST_LIMITS, maxJobs: 2 };
    const lines = ['{"reversaJobReport":1,"tool":"t"}', '{}', '{}', '{}'].join('\n');

    expect(validationErrorOf(() => parseJobReport(lines, ctx('many.ndjson', limits))).code).toBe('ReportTooLarge');
  });

  it('rejects ids longer than maxIdLength', () => {
    const doc = JSON.parse(fixture('generic/daily.json')) as { jobs: { resource: string }[] };
    doc.jobs[0]!.resource = 'r'.repeat(DEFAULT_INGEST_LIMITS.maxIdLength + 1);

    const err = validationErrorOf(() => parseJobReport(JSON.stringify(doc), ctx('long.json')));

    expect(err.problems[0]).toMatchObject({
      path: 'jobs[0].resource',
      message: expect.stringContaining('at most 2048'),
    });
  });

  it('caps the number of problems reported for one file', () => {
    const jobs = Array.from({ length: 300 }, () => ({ id: 1 }));

    const err = validationErrorOf(() =>
      parseJobReport(JSON.stringify({ reversaJobReport: 1, tool: 't', jobs }), ctx('bad.json')),
    );

    expect(err.problems.length).toBe(DEFAULT_INGEST_LIMITS.maxProblems + 1);
    expect(err.problems.at(-1)!.message).toMatch(/more problems not shown/);
  });
});

describe('quarantine record', () => {
  it('describes a rejected report with its reason, problems, time and keys', () => {
    const error = validationErrorOf(() => parseJobReport('{"hello":1}', ctx('inbox/acme/tools/x.json')));

    const record = quarantineRecord({
      tenantId: 'acme',
      originalKey: 'inbox/acme/tools/x.json',
      receivedAt: Date.parse('2030-01-01T00:00:00Z'),
      error,
    });

    expect(record).toEqual({
      reversaQuarantine: 1,
      tenantId: 'acme',
      originalKey: 'inbox/acme/tools/x.json',
      quarantinedKey: 'quarantine/acme/tools/x.json',
      receivedAt: '2030-01-01T00:00:00.000Z',
      reason: 'InvalidJobReport',
      summary: expect.stringContaining('1 problem(s)'),
      problems: error.problems,
    });
    expect(quarantineKeys('acme', 'inbox/acme/tools/x.json').recordKey).toBe(
      'quarantine/acme/tools/x.json.rejected.json',
    );
  });

  it('still builds a record for an unexpected error, without its message', () => {
    const record = quarantineRecord({
      tenantId: 'acme',
      originalKey: 'k',
      receivedAt: 0,
      error: new TypeError('boom'),
    });

    expect(record.reason).toBe('UnexpectedError');
    expect(JSON.stringify(record)).not.toContain('boom');
  });

  it('is a ValidationError type the caller can test for', () => {
    expect(validationErrorOf(() => parseJobReport('{', ctx('x')))).toBeInstanceOf(ValidationError);
  });
});
