import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#core/errors.ts';
import { parseStrategy } from '#core/strategy/parse.ts';
import { CONTRACT, problemsOf, VALID } from './helpers.ts';

const LINES_BEFORE = VALID.split('\n').length - 1;
const line = (n: number) => LINES_BEFORE + n;

function withContract(edit: (text: string) => string = (t) => t): string {
  return VALID + edit(CONTRACT);
}

describe('the contract section of a strategy', () => {
  it('accepts a contract with every level, windows, exclusions, penalties and a cap', () => {
    const { document } = parseStrategy(withContract(), 'acme.yaml');

    expect(document.contract?.reference).toBe('MSA-2026-014');
    expect(document.contract?.levels.backupCompliance?.target).toBe(99.5);
    expect(document.contract?.levels.incidents?.critical?.acknowledge).toBe('15m');
    expect(document.contract?.cap).toEqual({ percentOfFee: 20 });
  });

  it('is optional: a strategy without a contract has no service levels', () => {
    expect(parseStrategy(VALID, 'acme.yaml').document.contract).toBeUndefined();
  });

  const cases: { name: string; from: string; to: string; line: number; path: string; message: RegExp }[] = [
    {
      name: 'an unknown key, with a suggestion',
      from: '  noticePeriod: 90d',
      to: '  noticePeriode: 90d',
      line: 5,
      path: 'contract.noticePeriode',
      message: /unknown key 'noticePeriode' \(did you mean 'noticePeriod'\?\)/,
    },
    {
      name: 'a currency that is not ISO 4217',
      from: 'currency: EUR',
      to: 'currency: EURO',
      line: 6,
      path: 'contract.currency',
      message: /ISO 4217/,
    },
    {
      name: 'a fee with more decimals than the currency has',
      from: 'monthlyFee: 12000.50',
      to: 'monthlyFee: 12000.505',
      line: 1,
      path: 'contract.monthlyFee',
      message: /at most 2 decimals for EUR/,
    },
    {
      name: 'a measurement period other than month or quarter',
      from: 'measurementPeriod: month',
      to: 'measurementPeriod: year',
      line: 8,
      path: 'contract.measurementPeriod',
      message: /expected month or quarter/,
    },
    {
      name: 'an impossible date',
      from: 'start: 2026-01-01',
      to: 'start: 2026-02-30',
      line: 3,
      path: 'contract.start',
      message: /no such calendar date/,
    },
    {
      name: 'a recurring window without its duration',
      from: 'at: "02:00", duration: 2h,',
      to: 'at: "02:00",',
      line: 10,
      path: 'contract.maintenanceWindows[0]',
      message: /missing required key 'duration'/,
    },
    {
      name: 'an exclusion that is both a window and an incident',
      from: '{ incident: "rt-1#restore",',
      to: '{ from: 2026-11-01, incident: "rt-1#restore",',
      line: 14,
      path: 'contract.exclusions[1]',
      message: /either from and to, or incident/,
    },
    {
      name: 'an exclusion for a level that does not exist',
      from: 'levels: [backup-compliance]',
      to: 'levels: [backups]',
      line: 13,
      path: 'contract.exclusions[0].levels[0]',
      message: /expected one of backup-compliance/,
    },
    {
      name: 'a target above 100 %',
      from: 'target: 99.5',
      to: 'target: 100.5',
      line: 17,
      path: 'contract.levels.backupCompliance.target',
      message: /percentage from 0 to 100/,
    },
    {
      name: 'an empty penalty',
      from: 'penalty: { perBreach: 200 }',
      to: 'penalty: {}',
      line: 19,
      path: 'contract.levels.restoreTests.penalty',
      message: /at least one of perBreach/,
    },
    {
      name: 'an RTO class with both resources and a source',
      from: 'source: pgbackrest,',
      to: 'source: pgbackrest, resources: [pgbackrest:main],',
      line: 20,
      path: 'contract.levels.rto.classes[0]',
      message: /exactly one of resources or source/,
    },
    {
      name: 'a bad duration in an incident time',
      from: 'acknowledge: 15m',
      to: 'acknowledge: 15 minutes',
      line: 22,
      path: 'contract.levels.incidents.critical.acknowledge',
      message: /expected a duration like 15m/,
    },
    {
      name: 'an unknown severity',
      from: '      high: { acknowledge: 1h',
      to: '      urgent: { acknowledge: 1h',
      line: 23,
      path: 'contract.levels.incidents.urgent',
      message: /unknown key 'urgent'/,
    },
    {
      name: 'a cap with both an amount and a percentage',
      from: 'cap: { percentOfFee: 20 }',
      to: 'cap: { percentOfFee: 20, amount: 5000 }',
      line: 26,
      path: 'contract.cap',
      message: /exactly one of amount or percentOfFee/,
    },
    {
      name: 'a missing reference',
      from: '  reference: MSA-2026-014\n',
      to: '',
      line: 0,
      path: 'contract.reference',
      message: /missing required key 'reference'/,
    },
  ];

  it.each(cases)('rejects $name with its line, path and reason', ({ from, to, line: n, path, message }) => {
    const text = withContract((t) => {
      expect(t).toContain(from);
      return t.replace(from, to);
    });

    const problems = problemsOf(text);

    const problem = problems.find((p) => p.path === path);
    expect(problem, JSON.stringify(problems)).toBeDefined();
    expect(problem?.message).toMatch(message);
    expect(problem?.file).toBe('acme.yaml');
    if (n > 1) expect(problem?.line).toBe(line(n));
    expect(problem?.column).toBeGreaterThanOrEqual(1);
  });
});

describe('the contract section under fuzzing', () => {
  const lines = CONTRACT.split('\n');
  const bits = [':', '- ', '  ', '{', '}', '[', ']', '"', '#', '0', '-1', '100.001', 'x', 'EUR', '15m', 'null'];

  /** Accepts or rejects: anything thrown is a ValidationError whose every problem is located in the file. */
  function parsesOrExplains(text: string): void {
    try {
      parseStrategy(text, 'fuzz.yaml');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      for (const p of (error as ValidationError).problems) {
        expect(p.file).toBe('fuzz.yaml');
        expect(p.line).toBeGreaterThanOrEqual(1);
        expect(p.column).toBeGreaterThanOrEqual(1);
        expect(p.message.length).toBeGreaterThan(0);
      }
    }
  }

  it('never throws anything but a located ValidationError on random edits of the contract', () => {
    const edit = fc.oneof(
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(lines.length - 1) }),
      fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(lines.length - 1) }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(CONTRACT.length),
        bit: fc.oneof(fc.constantFrom(...bits), fc.string({ maxLength: 6 })),
      }),
    );
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let text = CONTRACT;
        for (const e of edits) {
          if (e.kind === 'insert') text = text.slice(0, e.at) + e.bit + text.slice(e.at);
          else {
            const ls = text.split('\n');
            const at = Math.min(e.at, ls.length - 1);
            if (e.kind === 'delete') ls.splice(at, 1);
            else ls.splice(at, 0, ls[at] ?? '');
            text = ls.join('\n');
          }
        }
        parsesOrExplains(VALID + text);
      }),
      { numRuns: 300 },
    );
  }, 30_000);

  it('never throws anything but a located ValidationError on random JSON values as the contract', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) =>
        parsesOrExplains(`${VALID}contract: ${JSON.stringify(value)}\n`),
      ),
      { numRuns: 300 },
    );
  });
});
