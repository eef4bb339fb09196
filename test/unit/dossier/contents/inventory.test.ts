import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '#core/dossier/contents/csv.ts';
import {
  buildInventory,
  type InventoryAsset,
  mergeAssets,
  parseInventory,
  parseInventoryCsv,
  parseInventoryJson,
  renderInventoryCsv,
  renderInventoryJson,
} from '#core/dossier/contents/inventory.ts';
import { ValidationError } from '#core/errors.ts';
import type { SeenResource } from '#core/model.ts';
import { parseStrategy } from '#core/strategy/parse.ts';

const HEADER = 'id,type,name,owner,criticality,dependencies,contracts\r\n';

function problemsOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('inventory CSV import', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF and a BOM', () => {
    const csv = `\ufeff${HEADER}app-1,vm,"Orders, front",ops,high,db-1,"C-2024-01;C-2024-07"\r\ndb-1,rds,"The ""main"" DB\nprimary",dba,critical,,\r\n`;

    const assets = parseInventoryCsv(csv, 'assets.csv');

    expect(assets).toEqual([
      {
        id: 'app-1',
        type: 'vm',
        name: 'Orders, front',
        owner: 'ops',
        criticality: 'high',
        dependencies: ['db-1'],
        contracts: ['C-2024-01', 'C-2024-07'],
        locators: [],
      },
      {
        id: 'db-1',
        type: 'rds',
        name: 'The "main" DB\nprimary',
        owner: 'dba',
        criticality: 'critical',
        dependencies: [],
        contracts: [],
        locators: [],
      },
    ]);
  });

  it('names file, line, column and field of a bad criticality', () => {
    const csv = `${HEADER}app-1,vm,Orders,ops,high,,\r\napp-2,vm,Billing,ops,urgent,,\r\n`;

    const problems = problemsOf(() => parseInventoryCsv(csv, 'assets.csv'));

    expect(problems).toEqual([
      {
        file: 'assets.csv',
        line: 3,
        column: 22,
        path: 'criticality',
        message: 'expected one of low, medium, high, critical',
      },
    ]);
  });

  it('places a field that follows a multi-line quoted field on the right line', () => {
    const csv = `${HEADER}app-1,vm,"two\nlines",ops,bad,,\n`;

    const problems = problemsOf(() => parseInventoryCsv(csv, 'assets.csv'));

    expect(problems).toEqual([expect.objectContaining({ line: 3, column: 12, path: 'criticality' })]);
  });

  it('refuses a dependency on an unknown asset, at its field', () => {
    const csv = `${HEADER}app-1,vm,Orders,ops,high,db-9,\r\n`;

    const problems = problemsOf(() => parseInventoryCsv(csv, 'assets.csv'));

    expect(problems).toEqual([
      {
        file: 'assets.csv',
        line: 2,
        column: 26,
        path: 'dependencies',
        message: "unknown dependency 'db-9': expected the id of an asset of this inventory",
      },
    ]);
  });

  it('accepts a dependency on an asset known from discovery', () => {
    const csv = `${HEADER}app-1,vm,Orders,ops,high,arn:aws:rds:eu-west-3:111122223333:db:orders,\r\n`;

    const assets = parseInventoryCsv(csv, 'assets.csv', {
      knownIds: new Set(['arn:aws:rds:eu-west-3:111122223333:db:orders']),
    });

    expect(assets[0]?.dependencies).toEqual(['arn:aws:rds:eu-west-3:111122223333:db:orders']);
  });

  it('requires a header with the id, type and name columns and refuses unknown columns', () => {
    const problems = problemsOf(() => parseInventoryCsv('id,name,colour\napp-1,Orders,red\n', 'assets.csv'));

    expect(problems.map((p) => [p.line, p.column, p.path, p.message])).toEqual([
      [1, 9, 'colour', expect.stringMatching(/^unknown column 'colour': expected one of id, type, name/)],
      [1, 1, 'type', "missing required column 'type' in the header"],
    ]);
  });

  it('refuses an empty file, asking for the header', () => {
    const problems = problemsOf(() => parseInventoryCsv('', 'assets.csv'));

    expect(problems[0]?.message).toMatch(/^expected a header row/);
  });

  it('reports a row with the wrong number of fields, a stray quote and duplicate ids, all at once', () => {
    const csv = 'id,type,name\na,vm,A\nb,vm\nc,vm,C"x\na,vm,again\n';

    const problems = problemsOf(() => parseInventoryCsv(csv, 'assets.csv'));

    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [4, 'a double quote inside an unquoted field: quote the whole field and double the quote ("")'],
      [3, 'expected 3 fields like the header, found 2'],
    ]);
  });

  it('reports a duplicate id at its line', () => {
    const problems = problemsOf(() => parseInventoryCsv('id,type,name\na,vm,A\na,vm,again\n', 'assets.csv'));

    expect(problems).toEqual([
      expect.objectContaining({
        line: 3,
        column: 1,
        path: 'id',
        message: expect.stringMatching(/^duplicate asset id 'a'/),
      }),
    ]);
  });

  it('reports a quote never closed', () => {
    const problems = problemsOf(() => parseInventoryCsv('id,type,name\na,vm,"open\n', 'assets.csv'));

    expect(problems).toEqual([
      expect.objectContaining({ line: 2, column: 6, message: expect.stringMatching(/never closed/) }),
    ]);
  });

  it('refuses a file above the size limit before parsing it', () => {
    const big = `id,type,name\n${'x'.repeat(33 * 1024 * 1024)}`;

    const problems = problemsOf(() => parseInventoryCsv(big, 'assets.csv'));

    expect(problems[0]?.message).toMatch(/at most 33554432 bytes/);
  });

  it('never throws anything but a ValidationError on arbitrary text (fuzz)', () => {
    const alphabet = fc.constantFrom('a', 'id', 'type', 'name', ',', '"', '\r', '\n', ';', 'low', 'x', '\ufeff', ' ');
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 80 }).map((parts) => parts.join('')),
        fc.boolean(),
        (body, withHeader) => {
          const text = withHeader ? `id,type,name,criticality,dependencies\n${body}` : body;
          try {
            parseInventoryCsv(text, 'fuzz.csv');
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationError);
            for (const p of (error as ValidationError).problems) expect(p.file).toBe('fuzz.csv');
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('round-trips any field through the CSV writer and reader (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 20 }), { minLength: 1, maxLength: 6 }), (fields) => {
        const line = fields.map((f) => (/[",\r\n]|^\s|\s$/.test(f) ? `"${f.replaceAll('"', '""')}"` : f)).join(',');
        // A record made of one empty field is a blank line, which CSV cannot tell apart.
        fc.pre(!(fields.length === 1 && fields[0] === ''));

        const { records, problems } = parseCsv(`${line}\r\n`, 'p.csv');

        expect(problems).toEqual([]);
        expect(records.map((r) => r.fields.map((f) => f.value))).toEqual([fields]);
      }),
    );
  });
});

describe('inventory JSON import', () => {
  it('reads an array of assets', () => {
    const json = JSON.stringify([{ id: 'a', type: 'vm', name: 'A', criticality: 'low', licence: 'RHEL 9' }]);

    expect(parseInventoryJson(json, 'assets.json')).toEqual([
      {
        id: 'a',
        type: 'vm',
        name: 'A',
        criticality: 'low',
        licence: 'RHEL 9',
        dependencies: [],
        contracts: [],
        locators: [],
      },
    ]);
  });

  it('locates unknown fields, bad values and unknown dependencies in the JSON text', () => {
    const json =
      '[\n  {"id": "a", "type": "vm", "name": "A", "colour": "red"},\n  {"id": "b", "type": "vm", "name": "B",\n   "criticality": "urgent", "dependencies": ["zz"]}\n]';

    const problems = problemsOf(() => parseInventoryJson(json, 'assets.json'));

    expect(problems.map((p) => [p.line, p.path, p.message])).toEqual([
      [2, '[0].colour', "unknown field 'colour'"],
      [4, '[1].criticality', 'expected one of low, medium, high, critical'],
    ]);
  });

  it('reports an unknown dependency at the dependency itself', () => {
    const json =
      '[\n {"id": "b", "type": "vm", "name": "B",\n  "dependencies": ["a", "zz"]},\n {"id": "a", "type": "vm", "name": "A"}\n]';

    const problems = problemsOf(() => parseInventoryJson(json, 'assets.json'));

    expect(problems).toEqual([
      {
        file: 'assets.json',
        line: 3,
        column: 25,
        path: '[0].dependencies[1]',
        message: "unknown dependency 'zz': expected the id of an asset of this inventory",
      },
    ]);
  });

  it('refuses text that is not a JSON array', () => {
    expect(problemsOf(() => parseInventoryJson('{"id": 1}', 'assets.json'))[0]?.message).toMatch(/JSON array/);
    expect(problemsOf(() => parseInventoryJson('[{"id": ', 'assets.json'))[0]?.message).toMatch(/not valid JSON/);
  });

  it('chooses the format by extension, else by content', () => {
    expect(parseInventory('[]', 'registry')).toEqual([]);
    expect(parseInventory('id,type,name\na,vm,A\n', 'registry.txt')).toHaveLength(1);
  });
});

describe('inventory coverage join', () => {
  const strategy = parseStrategy(
    `apiVersion: reversa/v1
tenant: { id: acme, name: ACME }
timezone: Europe/Paris
defaults: { rpo: 24h, retention: 35d }
resources:
  - locator: arn:aws:rds:eu-west-3:111122223333:db:orders
    rpo: 1h
  - locator: restic:web-1:/etc,/srv
    name: Web files
  - name: Daily volumes
    select: { source: aws-backup, type: EBS }
    retention: 14d
exclusions:
  - { locator: arn:aws:ec2:eu-west-3:111122223333:volume/vol-scratch, reason: scratch space }
`,
    'acme.yaml',
  ).document;
  const seen: SeenResource[] = [
    {
      tenantId: 'acme',
      source: 'aws-backup',
      resourceId: 'arn:aws:ec2:eu-west-3:111122223333:volume/vol-1',
      resourceType: 'EBS',
      firstSeenAt: 0,
      lastSeenAt: 0,
    },
  ];
  const asset = (id: string, extra: Partial<InventoryAsset> = {}): InventoryAsset => ({
    id,
    type: 't',
    name: id,
    dependencies: [],
    contracts: [],
    locators: [],
    ...extra,
  });

  it('joins explicit, selector-declared, locator-linked, excluded and uncovered assets', () => {
    const doc = buildInventory({
      tenantId: 'acme',
      strategy,
      seen,
      assets: [
        asset('arn:aws:rds:eu-west-3:111122223333:db:orders'),
        asset('arn:aws:ec2:eu-west-3:111122223333:volume/vol-1'),
        asset('web-1', { locators: ['restic:web-1:/etc,/srv'] }),
        asset('arn:aws:ec2:eu-west-3:111122223333:volume/vol-scratch'),
        asset('printer'),
      ],
    });

    const byId = new Map(doc.assets.map((a) => [a.id, a.coverage]));
    expect(byId.get('arn:aws:rds:eu-west-3:111122223333:db:orders')).toEqual({
      status: 'covered',
      resources: [
        {
          locator: 'arn:aws:rds:eu-west-3:111122223333:db:orders',
          name: 'arn:aws:rds:eu-west-3:111122223333:db:orders',
          source: 'aws-backup',
          declaredBy: 'resources[0]',
          rpo: '1h',
          retention: '35d',
        },
      ],
    });
    expect(byId.get('arn:aws:ec2:eu-west-3:111122223333:volume/vol-1')?.resources[0]).toMatchObject({
      declaredBy: 'resources[2].select',
      rpo: '24h',
      retention: '14d',
    });
    expect(byId.get('web-1')?.resources[0]).toMatchObject({ locator: 'restic:web-1:/etc,/srv', name: 'Web files' });
    expect(byId.get('arn:aws:ec2:eu-west-3:111122223333:volume/vol-scratch')).toEqual({
      status: 'excluded',
      resources: [],
      exclusionReason: 'scratch space',
    });
    expect(byId.get('printer')).toEqual({ status: 'not-covered', resources: [] });
    expect(doc.summary).toEqual({ assets: 5, covered: 3, excluded: 1, notCovered: 1 });
  });

  it('refuses a merged inventory with a dependency nobody declares', () => {
    const problems = problemsOf(() =>
      buildInventory({ tenantId: 'acme', strategy, seen, assets: [asset('a', { dependencies: ['ghost'] })] }),
    );

    expect(problems[0]?.message).toMatch(/unknown dependency 'ghost'/);
  });

  it('renders a stable JSON and a CSV the importer reads back', () => {
    const doc = buildInventory({
      tenantId: 'acme',
      strategy,
      seen,
      assets: [asset('b, "quoted"', { dependencies: ['a'] }), asset('a', { criticality: 'high' })],
    });

    const csv = [...renderInventoryCsv(doc)].join('');
    const json = renderInventoryJson(doc);

    expect(JSON.parse(json).assets.map((a: InventoryAsset) => a.id)).toEqual(['a', 'b, "quoted"']);
    const { records } = parseCsv(csv, 'out.csv');
    expect(records.map((r) => r.fields[0]?.value)).toEqual(['id', 'a', 'b, "quoted"']);
    expect(records[2]?.fields[8]?.value).toBe('a');
    expect(records[1]?.fields[12]?.value).toBe('not-covered');
  });

  it('merges a registry with discovered resources, the registry winning field by field', () => {
    const merged = mergeAssets(
      [asset('arn:x', { name: 'Orders DB', owner: 'dba' })],
      [asset('arn:x', { name: 'orders', region: 'eu-west-3', tags: { env: 'prod' } }), asset('arn:y')],
    );

    expect(merged).toEqual([
      asset('arn:x', { name: 'Orders DB', owner: 'dba', region: 'eu-west-3', tags: { env: 'prod' } }),
      asset('arn:y'),
    ]);
  });
});
