import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#core/errors.ts';
import { normaliseBackupEvent } from '#core/ingest/aws-backup-event.ts';
import { parseJobReport } from '#core/ingest/detect.ts';
import { decodeUtf8Strict } from '#core/text.ts';
import { fixture, fixtureJson } from './helpers.ts';

const FILE = 'inbox/acme/fuzz.json';
const ctx = { tenantId: 'acme', fileName: FILE, receivedAt: 1_700_000_000_000 };

/** The property: parsing either succeeds or throws a ValidationError whose every problem names the file. */
function parsesOrRejectsCleanly(text: string): void {
  try {
    parseJobReport(text, ctx);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    const problems = (e as ValidationError).problems;
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) expect(p.file).toBe(FILE);
  }
}

const SEEDS = [
  'generic/daily.json',
  'generic/daily.ndjson',
  'pgbackrest/info-plain.json',
  'pgbackrest/info-cipher.json',
  'aws-backup/backup-job-completed.json',
  'aws-backup/copy-job-failed.json',
  'aws-backup/events.ndjson',
  'aws-backup/filter-log-events.json',
  'aws-backup/cloudwatch-logs-export.txt',
  'aws-backup/list-backup-jobs.json',
  'aws-backup/list-backup-jobs-pages.json',
  'aws-backup/list-copy-jobs.json',
  'aws-backup/list-recovery-points-by-backup-vault.json',
  'aws-backup/list-recovery-points-by-resource.json',
].map(fixture);

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Replaces one leaf of a JSON value by an arbitrary JSON value, following a random path. */
function mutate(doc: unknown, steps: number[], replacement: unknown): unknown {
  if (steps.length === 0 || typeof doc !== 'object' || doc === null) return replacement;
  const [step, ...rest] = steps as [number, ...number[]];
  if (Array.isArray(doc)) {
    if (doc.length === 0) return replacement;
    const copy = [...doc];
    copy[step % doc.length] = mutate(doc[step % doc.length], rest, replacement);
    return copy;
  }
  const keys = Object.keys(doc);
  if (keys.length === 0) return replacement;
  const key = keys[step % keys.length]!;
  return {
    ...(doc as Record<string, unknown>),
    [key]: mutate((doc as Record<string, unknown>)[key], rest, replacement),
  };
}

describe('job report parsing never fails with anything but a located ValidationError', () => {
  it('on random strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), parsesOrRejectsCleanly), { numRuns: 500 });
  });

  it('on random bytes decoded as UTF-8', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) =>
        parsesOrRejectsCleanly(Buffer.from(bytes).toString('utf8')),
      ),
      { numRuns: 300 },
    );
  });

  it('on random JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => parsesOrRejectsCleanly(JSON.stringify(v))),
      { numRuns: 500 },
    );
  });

  it('on random JSON inside a generic report envelope', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 5 }), (jobs) =>
        parsesOrRejectsCleanly(JSON.stringify({ reversaJobReport: 1, tool: 't', jobs })),
      ),
      { numRuns: 300 },
    );
  });

  it('on real fixtures with one value replaced anywhere', () => {
    const docs = SEEDS.filter(parsesAsJson).map((s) => JSON.parse(s) as unknown);
    fc.assert(
      fc.property(
        fc.nat({ max: docs.length - 1 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        fc.jsonValue({ maxDepth: 2 }),
        (which, steps, replacement) =>
          parsesOrRejectsCleanly(JSON.stringify(mutate(docs[which], steps, replacement), null, 1)),
      ),
      { numRuns: 500 },
    );
  });

  it('on real fixtures truncated or with a character flipped', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: SEEDS.length - 1 }),
        fc.nat(),
        fc.string({ minLength: 1, maxLength: 2 }),
        (which, at, ch) => {
          const text = SEEDS[which]!;
          const i = at % text.length;
          parsesOrRejectsCleanly(text.slice(0, i));
          parsesOrRejectsCleanly(text.slice(0, i) + ch + text.slice(i + 1));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('on AWS documents in any order and form: array, back to back, NDJSON, log lines', () => {
    const docs = SEEDS.filter(parsesAsJson).map((s) => JSON.parse(s) as unknown);
    const forms = [
      (ds: unknown[]) => JSON.stringify(ds),
      (ds: unknown[]) => ds.map((d) => JSON.stringify(d, null, 2)).join(''),
      (ds: unknown[]) => ds.map((d) => JSON.stringify(d)).join('\n'),
      (ds: unknown[]) => ds.map((d) => `2026-03-02T02:41:17.000Z ${JSON.stringify(d)}`).join('\n'),
      (ds: unknown[]) => JSON.stringify({ events: ds.map((d) => ({ timestamp: 1, message: JSON.stringify(d) })) }),
    ];
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: docs.length - 1 }), { minLength: 1, maxLength: 5 }),
        fc.nat({ max: forms.length - 1 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.jsonValue({ maxDepth: 2 }),
        (picks, form, steps, replacement) => {
          const chosen = picks.map((i, k) =>
            k === 0 && steps.length > 0 ? mutate(docs[i], steps, replacement) : docs[i],
          );
          parsesOrRejectsCleanly(forms[form]!(chosen));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('on random bytes decoded strictly: refused as not UTF-8 at a located byte, or parsed cleanly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = decodeUtf8Strict(bytes, FILE);
        if (typeof text === 'string') parsesOrRejectsCleanly(text);
        else expect(text).toMatchObject({ file: FILE, line: expect.any(Number), column: expect.any(Number) });
      }),
      { numRuns: 500 },
    );
  });

  it('on deeply nested input', () => {
    parsesOrRejectsCleanly(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    parsesOrRejectsCleanly(`{"reversaJobReport":1,"tool":"t","jobs":[${'['.repeat(50_000)}]}`);
  });
});

describe('event normalisation never throws', () => {
  it('on mutated real events', () => {
    const events = ['backup-job-completed', 'copy-job-completed', 'recovery-point-completed', 'copy-job-failed'].map(
      (n) => fixtureJson(`aws-backup/${n}.json`),
    );
    fc.assert(
      fc.property(
        fc.nat({ max: events.length - 1 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        fc.jsonValue({ maxDepth: 2 }),
        (which, steps, replacement) => {
          const out = normaliseBackupEvent(mutate(events[which], steps, replacement), 'acme', 0);
          expect(Array.isArray(out.jobs) && Array.isArray(out.recoveryPoints)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
