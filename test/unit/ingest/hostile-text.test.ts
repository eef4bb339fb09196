/**
 * Hostile text in job reports (issue 8): each finding reproduced, and refused with a short,
 * located reason. Before: invalid UTF-8 became U+FFFD, NUL and other control characters were
 * stored in ids, and a 50,000-level document was refused at a length of the input's order.
 */
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseBackupEvent } from '#core/ingest/aws-backup-event.ts';
import { parseJobReport } from '#core/ingest/detect.ts';
import { decodeUtf8Strict, firstInvalidUtf8 } from '#core/text.ts';
import { fixture, fixtureJson, validationErrorOf } from './helpers.ts';

const ctx = { tenantId: 'acme', fileName: 'r.json', receivedAt: Date.parse('2026-03-05T00:00:00Z') };

function generic(job: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    reversaJobReport: 1,
    tool: 't',
    ...extra,
    jobs: [{ id: 'j1', resource: 'nas-1', state: 'COMPLETED', startedAt: '2026-03-01T02:00:00Z', ...job }],
  });
}

const problemsOf = (text: string) => validationErrorOf(() => parseJobReport(text, ctx)).problems;

describe('a report that is not UTF-8', () => {
  it('is refused naming the byte offset, the line and the column of the first bad byte', () => {
    // "café" written by a Windows-1252 tool: é is the single byte 0xE9.
    const bytes = Buffer.concat([
      Buffer.from('{"reversaJobReport": 1,\n "tool": "caf'),
      Buffer.from([0xe9]),
      Buffer.from('"}'),
    ]);

    const result = decodeUtf8Strict(bytes, 'r.json');

    expect(result).toEqual({
      file: 'r.json',
      line: 2,
      column: 14,
      path: '',
      message: expect.stringContaining('byte 0xE9 at byte offset 37'),
    });
  });

  it.each([
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['a UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a sequence cut short by the end of the file', [0xe2, 0x82]],
    ['a lone continuation byte', [0x80]],
  ])('is refused for %s', (_what, bad) => {
    const bytes = Buffer.from([0x61, 0x0a, ...bad]);

    expect(decodeUtf8Strict(bytes, 'r.json')).toMatchObject({ line: 2, column: 1 });
  });

  it('keeps valid text as it is, BOM included, like reading it as utf8 did', () => {
    const text = '\ufeff{"tool": "été ✓ 𝄞"}';

    expect(decodeUtf8Strict(Buffer.from(text, 'utf8'), 'r.json')).toBe(text);
  });

  it('finds the first invalid byte exactly where the platform validator stops accepting (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const at = firstInvalidUtf8(bytes);
        if (at === undefined) return isUtf8(bytes);
        return !isUtf8(bytes) && isUtf8(bytes.subarray(0, at));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('control characters in ids and names', () => {
  it.each([
    ['a NUL in a job id', { id: 'j\u00001' }, 'jobs[0].id', 'NUL (U+0000)'],
    ['an ESC in a resource locator', { resource: 'nas\u001b[31m' }, 'jobs[0].resource', 'ESC (U+001B)'],
    ['a line break in a resource type', { resourceType: 'NAS\nfake line' }, 'jobs[0].resourceType', 'LF (U+000A)'],
    [
      'a C1 character in a point location',
      { recoveryPoint: { id: 'rp', location: 'x\u0085' } },
      'jobs[0].recoveryPoint.location',
      'NEL (U+0085)',
    ],
    ['a DEL in a tag key', { tags: { 'a\u007f': 'b' } }, 'jobs[0].tags["a\\u007F"]', 'DEL (U+007F)'],
    ['a NUL in a status message', { message: 'ok\u0000' }, 'jobs[0].message', 'NUL (U+0000)'],
  ])('refuses %s, naming the field', (_what, job, path, character) => {
    const problems = problemsOf(generic(job));

    expect(problems).toContainEqual(
      expect.objectContaining({ path: expect.stringContaining(path), message: expect.stringContaining(character) }),
    );
  });

  it('accepts tabs and line breaks in a status message, which is free text', () => {
    const { batch } = parseJobReport(generic({ message: 'skipped:\n\t/a\r\n\t/b' }), ctx);

    expect(batch.jobs[0]?.statusMessage).toBe('skipped:\n\t/a\r\n\t/b');
  });

  it('refuses control characters in restic host names and paths, and pgBackRest stanza names', () => {
    const restic = JSON.stringify([
      { id: 'a1b2c3d4e5f6', time: '2026-03-01T02:00:00Z', hostname: 'web\u00001', paths: ['/srv\u001b'] },
    ]);
    const pg = JSON.stringify([{ name: 'main\u0007', backup: [] }]);

    expect(problemsOf(restic).map((p) => p.path)).toEqual(['[0].hostname', '[0].paths[0]']);
    expect(problemsOf(pg).map((p) => p.path)).toEqual(['[0].name']);
  });

  it('writes control characters of a restic error message visibly instead of passing them to terminals', () => {
    const output = [
      '{"message_type":"reversa_context","host":"web1","paths":["/srv"]}',
      '{"message_type":"error","error":{"message":"open /srv/\\u001b[2Jx: permission denied"},"during":"archival","item":"/srv/x"}',
      '{"message_type":"summary","total_bytes_processed":10,"total_duration":1.5,"snapshot_id":"a1b2c3d4"}',
    ].join('\n');

    const { batch } = parseJobReport(output, ctx);

    expect(batch.jobs[0]?.statusMessage).toContain('/srv/\\u001B[2Jx');
    expect(batch.jobs[0]?.statusMessage).not.toContain(String.fromCharCode(0x1b));
  });

  it('treats an AWS Backup event whose ids hold control characters as malformed', () => {
    const event = fixtureJson('aws-backup/backup-job-completed.json') as { detail: Record<string, unknown> };
    event.detail.resourceArn = 'arn:aws:dynamodb:eu-west-3:111122223333:table/orders\u0000';

    const out = normaliseBackupEvent(event, 'acme', ctx.receivedAt);

    expect(out.ignored).toEqual({ reason: 'malformed', detail: expect.stringMatching(/^detail\.resourceArn .*NUL/) });
  });

  it('refuses an AWS CLI listing whose job id holds a control character, naming the field and line', () => {
    const text = fixture('aws-backup/list-backup-jobs.json').replace(
      '"a827233a-d405-4a86-a440-759fa94f34dd"',
      '"a827233a\\u001b[8m"',
    );

    const problems = problemsOf(text);

    expect(problems).toEqual([
      expect.objectContaining({ path: 'BackupJobs[0].BackupJobId', line: 5, message: expect.stringContaining('ESC') }),
    ]);
  });
});

describe('deeply nested reports', () => {
  const MAX_MESSAGE = 400;

  it.each([
    ['arrays', `{"reversaJobReport":1,"tool":"t","jobs":${'['.repeat(50_000)}${']'.repeat(50_000)}}`],
    ['objects', `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`],
    ['an unterminated document', '['.repeat(200_000)],
    ['NDJSON', `{"reversaJobReport":1,"tool":"t"}\n${'['.repeat(100)}`],
  ])('refuses 50,000 levels of %s with one short problem naming the line', (_what, text) => {
    const problems = problemsOf(text);

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
    expect(problems[0]?.message).toContain('nested more than 64 levels');
    expect(JSON.stringify(problems).length).toBeLessThan(MAX_MESSAGE);
  });

  it('refuses a deep document hidden in a CloudWatch Logs message string', () => {
    const logs = {
      events: [{ timestamp: 1, message: `${'['.repeat(1000)}${']'.repeat(1000)}` }],
      searchedLogStreams: [],
    };

    const problems = problemsOf(JSON.stringify(logs));

    expect(problems).toEqual([
      expect.objectContaining({ path: 'events[0].message', message: expect.stringContaining('64 levels') }),
    ]);
  });

  it('accepts 64 levels', () => {
    const text = JSON.stringify([
      {
        tree: 'x',
        hostname: 'h',
        paths: ['/'],
        time: '2026-03-01T02:00:00Z',
        id: 'a1b2c3d4',
        x: JSON.parse(`${'['.repeat(62)}${']'.repeat(62)}`),
      },
    ]);

    expect(parseJobReport(text, ctx).format).toBe('restic-snapshots');
  });
});

describe('error messages stay short whatever the input', () => {
  it('bounds a problem about a one-megabyte key', () => {
    const key = 'k'.repeat(1024 * 1024);

    const problems = problemsOf(generic({ [key]: 1 }));

    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) expect(p.path.length + p.message.length).toBeLessThan(800);
  });

  it('keeps every problem short on random hostile reports (property)', () => {
    const hostile = fc.string({
      unit: fc.constantFrom('\u0000', '\u001b', '\u0085', '[', '{', '"', 'a', '\\', '\n'),
      maxLength: 200,
    });
    fc.assert(
      fc.property(hostile, fc.string({ maxLength: 3000 }), (value, key) => {
        try {
          parseJobReport(generic({ id: value, [key]: value }), ctx);
        } catch (e) {
          for (const p of validationErrorOf(() => {
            throw e;
          }).problems)
            expect(p.path.length + p.message.length).toBeLessThan(800);
        }
      }),
      { numRuns: 300 },
    );
  });
});
