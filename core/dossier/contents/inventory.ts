/**
 * The inventory of the dossier: the tenant's assets (imported from the provider's asset registry as
 * CSV or JSON, and/or discovered from AWS tags), joined with what the declared strategy says about
 * their backups. A successor reads it first: what exists, who owns it, how critical it is, what it
 * depends on, and whether (and how tightly) it is backed up.
 */

import * as z from 'zod';
import { type Problem, ValidationError } from '../../errors.ts';
import { locateJsonPath } from '../../ingest/json-locate.ts';
import { formatPath, type PathSegment } from '../../ingest/problems.ts';
import type { SeenResource } from '../../model.ts';
import { resolveResources } from '../../strategy/resolve.ts';
import type { StrategyDocument } from '../../strategy/schema.ts';
import { csvLine, parseCsv } from './csv.ts';

export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Criticality = (typeof CRITICALITIES)[number];

/** Registries are exported spreadsheets: 32 MiB is ~200k rows, far beyond one client's estate. */
export const MAX_INVENTORY_BYTES = 32 * 1024 * 1024;
export const MAX_ASSETS = 100_000;
export const MAX_LIST_ITEMS = 1000;
/** Past this many, more problems add noise rather than help (and bound the error size). */
export const MAX_INVENTORY_PROBLEMS = 200;

/** CSV columns, in the order the CSV rendering writes them. List columns separate items with `;`. */
export const INVENTORY_COLUMNS = [
  'id',
  'type',
  'name',
  'account',
  'region',
  'location',
  'owner',
  'criticality',
  'dependencies',
  'licence',
  'contracts',
  'locators',
] as const;
type Column = (typeof INVENTORY_COLUMNS)[number];
const LIST_COLUMNS: ReadonlySet<Column> = new Set(['dependencies', 'contracts', 'locators']);
const REQUIRED_COLUMNS: readonly Column[] = ['id', 'type', 'name'];

const text = (max: number) =>
  z
    .string({ error: 'expected a text string' })
    .min(1, { error: 'expected a non-empty value' })
    .max(max, { error: `expected at most ${max} characters` })
    // Control characters in an id are an encoding accident; they would also break file names and Markdown.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { error: 'expected no control characters (tabs, line breaks)' });

/** Free text (names, owners, licences) may span lines, as spreadsheets allow; other control characters are refused. */
const prose = (max: number) =>
  z
    .string({ error: 'expected a text string' })
    .min(1, { error: 'expected a non-empty value' })
    .max(max, { error: `expected at most ${max} characters` })
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), {
      error: 'expected no control characters other than tabs and line breaks',
    });

const list = (max: number) =>
  z
    .array(text(2048), { error: 'expected a list of text strings' })
    .max(MAX_LIST_ITEMS, { error: `expected at most ${MAX_LIST_ITEMS} items` })
    .refine((l) => l.length <= max, { error: `expected at most ${max} items` });

export const assetSchema = z.strictObject({
  id: text(2048).describe('Unique asset id; an ARN for AWS resources, the provider registry id otherwise.'),
  type: text(128),
  name: prose(256),
  account: text(64).optional(),
  region: text(64).optional(),
  location: prose(256).optional(),
  owner: prose(256).optional(),
  criticality: z.enum(CRITICALITIES, { error: `expected one of ${CRITICALITIES.join(', ')}` }).optional(),
  dependencies: list(MAX_LIST_ITEMS).optional(),
  licence: prose(512).optional(),
  contracts: list(100).optional(),
  /** Backup locators (restic:host:paths, pgbackrest:stanza, …) that protect this asset besides its id. */
  locators: list(100).optional(),
  tags: z
    .record(text(128), z.string({ error: 'expected a text string' }).max(256))
    .refine((t) => Object.keys(t).length <= 50, { error: 'expected at most 50 tags' })
    .optional(),
});

export type InventoryAssetInput = z.infer<typeof assetSchema>;

export interface InventoryAsset {
  id: string;
  type: string;
  name: string;
  account?: string;
  region?: string;
  location?: string;
  owner?: string;
  criticality?: Criticality;
  dependencies: string[];
  licence?: string;
  contracts: string[];
  locators: string[];
  tags?: Record<string, string>;
}

export interface ParseInventoryOptions {
  /** Ids known from elsewhere (discovered AWS resources) that dependencies may name. */
  knownIds?: ReadonlySet<string>;
}

type Place = { line: number; column: number } | undefined;

function normalise(input: InventoryAssetInput): InventoryAsset {
  const { dependencies, contracts, locators, ...rest } = input;
  // zod types absent optional fields as `?: T | undefined`; drop them rather than carry undefined.
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Omit<
    InventoryAsset,
    'dependencies' | 'contracts' | 'locators'
  >;
  return { ...defined, dependencies: dependencies ?? [], contracts: contracts ?? [], locators: locators ?? [] };
}

class Problems {
  readonly list: Problem[] = [];
  constructor(readonly file: string) {}
  add(place: Place, path: string, message: string): void {
    if (this.list.length > MAX_INVENTORY_PROBLEMS) return;
    this.list.push(
      this.list.length === MAX_INVENTORY_PROBLEMS
        ? { file: this.file, path: '', message: 'more problems not shown' }
        : { file: this.file, ...place, path, message },
    );
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new ValidationError('InvalidInventory', this.list);
  }
}

function checkSize(text: string, problems: Problems): void {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_INVENTORY_BYTES) {
    problems.add(
      { line: 1, column: 1 },
      '',
      `file is ${bytes} bytes; an inventory may be at most ${MAX_INVENTORY_BYTES} bytes (32 MiB)`,
    );
    problems.throwIfAny();
  }
}

/** Duplicate ids and dependencies on unknown ids, located through `placeOf`. */
function checkReferences(
  assets: readonly InventoryAsset[],
  problems: Problems,
  placeOf: (index: number, field: 'id' | 'dependencies', item?: number) => { place: Place; path: string },
  knownIds: ReadonlySet<string> = new Set(),
): void {
  const firstIndex = new Map<string, number>();
  assets.forEach((a, i) => {
    const first = firstIndex.get(a.id);
    if (first === undefined) firstIndex.set(a.id, i);
    else {
      const at = placeOf(i, 'id');
      problems.add(
        at.place,
        at.path,
        `duplicate asset id '${a.id}': ids must be unique (first used by asset ${first + 1})`,
      );
    }
  });
  assets.forEach((a, i) => {
    a.dependencies.forEach((dep, k) => {
      if (firstIndex.has(dep) || knownIds.has(dep)) return;
      const at = placeOf(i, 'dependencies', k);
      problems.add(at.place, at.path, `unknown dependency '${dep}': expected the id of an asset of this inventory`);
    });
  });
}

/**
 * Reads an asset registry exported as CSV (RFC 4180): a header row naming columns among
 * INVENTORY_COLUMNS (any order, id, type and name required), then one asset per row. List columns
 * (dependencies, contracts, locators) separate items with `;`. Every problem is reported at once,
 * with file, line, column and column name.
 */
export function parseInventoryCsv(text: string, file: string, options: ParseInventoryOptions = {}): InventoryAsset[] {
  const problems = new Problems(file);
  checkSize(text, problems);
  const { records, problems: syntax } = parseCsv(text, file, MAX_ASSETS + 1);
  for (const p of syntax) problems.add({ line: p.line ?? 1, column: p.column ?? 1 }, p.path, p.message);
  const header = records[0];
  if (header === undefined) {
    problems.add(
      { line: 1, column: 1 },
      '',
      `expected a header row naming the columns: ${INVENTORY_COLUMNS.join(',')}`,
    );
    problems.throwIfAny();
    return [];
  }

  const columns: (Column | undefined)[] = [];
  const seenColumns = new Set<string>();
  for (const field of header.fields) {
    const name = field.value.trim();
    const place = { line: field.line, column: field.column };
    if (!(INVENTORY_COLUMNS as readonly string[]).includes(name)) {
      problems.add(place, name, `unknown column '${name}': expected one of ${INVENTORY_COLUMNS.join(', ')}`);
      columns.push(undefined);
    } else if (seenColumns.has(name)) {
      problems.add(place, name, `column '${name}' appears twice in the header`);
      columns.push(undefined);
    } else {
      seenColumns.add(name);
      columns.push(name as Column);
    }
  }
  let headerOk = columns.every((c) => c !== undefined);
  for (const required of REQUIRED_COLUMNS) {
    if (!seenColumns.has(required)) {
      problems.add({ line: header.line, column: 1 }, required, `missing required column '${required}' in the header`);
      headerOk = false;
    }
  }
  // Rows cannot be read without a sound header; syntax problems alone still let every row be checked.
  if (!headerOk) problems.throwIfAny();

  const rows = records.slice(1);
  const assets: InventoryAsset[] = [];
  const places: Map<Column, Place>[] = [];
  for (const record of rows) {
    if (record.fields.length !== columns.length) {
      problems.add(
        { line: record.line, column: 1 },
        '',
        `expected ${columns.length} fields like the header, found ${record.fields.length}`,
      );
      continue;
    }
    const raw: Record<string, unknown> = {};
    const where = new Map<Column, Place>();
    record.fields.forEach((field, k) => {
      const column = columns[k]!;
      where.set(column, { line: field.line, column: field.column });
      const value = field.value.trim();
      if (value === '') return;
      raw[column] = LIST_COLUMNS.has(column)
        ? value
            .split(';')
            .map((s) => s.trim())
            .filter((s) => s !== '')
        : value;
    });
    const result = assetSchema.safeParse(raw);
    if (!result.success) {
      for (const issue of result.error.issues) {
        const column = String(issue.path[0] ?? '') as Column;
        const message =
          issue.code === 'invalid_type' && raw[column] === undefined ? `missing value for '${column}'` : issue.message;
        problems.add(where.get(column) ?? { line: record.line, column: 1 }, column, message);
      }
      continue;
    }
    assets.push(normalise(result.data));
    places.push(where);
  }
  problems.throwIfAny();

  checkReferences(assets, problems, (i, field) => ({ place: places[i]?.get(field), path: field }), options.knownIds);
  problems.throwIfAny();
  return assets;
}

/** Reads an asset registry exported as a JSON array of asset objects (strict: unknown fields are errors). */
export function parseInventoryJson(text: string, file: string, options: ParseInventoryOptions = {}): InventoryAsset[] {
  const problems = new Problems(file);
  checkSize(text, problems);
  let data: unknown;
  try {
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    const position = /position (\d+)/.exec(String(error))?.[1];
    const place = position === undefined ? { line: 1, column: 1 } : offsetPlace(text, Number(position));
    problems.add(place, '', 'not valid JSON: expected an array of asset objects');
    problems.throwIfAny();
  }
  const at = (path: readonly PathSegment[]) => ({ place: locateJsonPath(text, path), path: formatPath(path) });
  if (!Array.isArray(data)) {
    problems.add(
      { line: 1, column: 1 },
      '',
      'expected a JSON array of asset objects: [ { "id": …, "type": …, "name": … } ]',
    );
    problems.throwIfAny();
    return [];
  }
  if (data.length > MAX_ASSETS) {
    problems.add({ line: 1, column: 1 }, '', `expected at most ${MAX_ASSETS} assets, found ${data.length}`);
    problems.throwIfAny();
  }
  const assets: InventoryAsset[] = [];
  const indexes: number[] = [];
  data.forEach((item, index) => {
    const result = assetSchema.safeParse(item);
    if (result.success) {
      assets.push(normalise(result.data));
      indexes.push(index);
      return;
    }
    for (const issue of result.error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      for (const key of keys) {
        const path: PathSegment[] = [index, ...issue.path.map((s) => (typeof s === 'number' ? s : String(s)))];
        if (key !== undefined) path.push(key);
        const where = at(path);
        problems.add(where.place, where.path, key === undefined ? issue.message : `unknown field '${key}'`);
      }
    }
  });
  problems.throwIfAny();
  checkReferences(
    assets,
    problems,
    (i, field, item) => at(item === undefined ? [indexes[i]!, field] : [indexes[i]!, field, item]),
    options.knownIds,
  );
  problems.throwIfAny();
  return assets;
}

function offsetPlace(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/** CSV or JSON by the file extension, else by the first non-blank character (`[` is JSON). */
export function parseInventory(text: string, file: string, options: ParseInventoryOptions = {}): InventoryAsset[] {
  const lower = file.toLowerCase();
  const json = lower.endsWith('.json') || (!lower.endsWith('.csv') && /^\ufeff?\s*\[/.test(text.slice(0, 1024)));
  return json ? parseInventoryJson(text, file, options) : parseInventoryCsv(text, file, options);
}

/**
 * Merges asset lists by id: the first list that names an asset wins field by field, later lists fill
 * the gaps (pass the provider's registry first, discovered resources second).
 */
export function mergeAssets(...lists: readonly (readonly InventoryAsset[])[]): InventoryAsset[] {
  const byId = new Map<string, InventoryAsset>();
  for (const assets of lists) {
    for (const asset of assets) {
      const known = byId.get(asset.id);
      if (!known) {
        byId.set(asset.id, { ...asset });
        continue;
      }
      const merged: InventoryAsset = { ...asset, ...stripEmpty(known) };
      merged.dependencies = known.dependencies.length > 0 ? known.dependencies : asset.dependencies;
      merged.contracts = known.contracts.length > 0 ? known.contracts : asset.contracts;
      merged.locators = [...new Set([...known.locators, ...asset.locators])];
      if (asset.tags || known.tags) merged.tags = { ...asset.tags, ...known.tags };
      byId.set(asset.id, merged);
    }
  }
  return [...byId.values()];
}

function stripEmpty(asset: InventoryAsset): Partial<InventoryAsset> {
  return Object.fromEntries(Object.entries(asset).filter(([, v]) => v !== undefined)) as Partial<InventoryAsset>;
}

/* ------------------------------------------------------------------------------------ coverage */

export type CoverageStatus = 'covered' | 'excluded' | 'not-covered';

export interface CoveringResource {
  locator: string;
  name: string;
  source: string;
  /** Where the strategy declares it, e.g. resources[3] or resources[5].select. */
  declaredBy: string;
  rpo: string;
  retention: string;
}

export interface InventoryItem extends InventoryAsset {
  coverage: { status: CoverageStatus; resources: CoveringResource[]; exclusionReason?: string };
}

export interface InventoryDocument {
  tenantId: string;
  assets: InventoryItem[];
  summary: { assets: number; covered: number; excluded: number; notCovered: number };
}

export interface BuildInventoryInput {
  tenantId: string;
  assets: readonly InventoryAsset[];
  strategy: StrategyDocument;
  /** Resources the sources have reported (FactStore.listSeenResources): selectors expand over them. */
  seen: readonly SeenResource[];
}

/**
 * Joins assets with the strategy: an asset is covered by each declared resource whose locator is the
 * asset id or one of its `locators`; excluded when one of them is an exclusion; else not covered.
 * Assets are sorted by id so that the rendering (and its fingerprint) is stable.
 */
export function buildInventory(input: BuildInventoryInput): InventoryDocument {
  const problems = new Problems('<inventory>');
  const sorted = [...input.assets].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  checkReferences(sorted, problems, (i, field, item) => ({
    place: undefined,
    path: `${formatPath([sorted[i]!.id])}.${field}${item === undefined ? '' : `[${item}]`}`,
  }));
  problems.throwIfAny();

  const resolved = resolveResources(input.strategy, input.seen);
  const declared = new Map(resolved.declared.map((d) => [d.resourceId, d]));
  const exclusions = new Map((input.strategy.exclusions ?? []).map((e) => [e.locator, e.reason]));
  const summary = { assets: sorted.length, covered: 0, excluded: 0, notCovered: 0 };

  const assets = sorted.map((asset): InventoryItem => {
    const candidates = [...new Set([asset.id, ...asset.locators])];
    const resources: CoveringResource[] = [];
    let exclusionReason: string | undefined;
    for (const locator of candidates) {
      const d = declared.get(locator);
      if (d) {
        resources.push({
          locator,
          name: d.name,
          source: d.source,
          declaredBy: d.declaredBy,
          rpo: d.policy.rpo.text,
          retention: d.policy.retention.text,
        });
      } else if (exclusionReason === undefined && exclusions.has(locator)) {
        exclusionReason = exclusions.get(locator);
      }
    }
    if (resources.length > 0) {
      summary.covered++;
      return { ...asset, coverage: { status: 'covered', resources } };
    }
    if (exclusionReason !== undefined) {
      summary.excluded++;
      return { ...asset, coverage: { status: 'excluded', resources, exclusionReason } };
    }
    summary.notCovered++;
    return { ...asset, coverage: { status: 'not-covered', resources } };
  });
  return { tenantId: input.tenantId, assets, summary };
}

export function renderInventoryJson(doc: InventoryDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export const INVENTORY_CSV_COLUMNS = [
  ...INVENTORY_COLUMNS,
  'coverage',
  'coveredBy',
  'rpo',
  'retention',
  'exclusionReason',
] as const;

/** The same inventory as CSV (RFC 4180, CRLF), for spreadsheets: lists joined with `;`. */
export function* renderInventoryCsv(doc: InventoryDocument): Generator<string> {
  yield csvLine(INVENTORY_CSV_COLUMNS);
  for (const a of doc.assets) {
    const cover = a.coverage.resources;
    yield csvLine([
      a.id,
      a.type,
      a.name,
      a.account ?? '',
      a.region ?? '',
      a.location ?? '',
      a.owner ?? '',
      a.criticality ?? '',
      a.dependencies.join(';'),
      a.licence ?? '',
      a.contracts.join(';'),
      a.locators.join(';'),
      a.coverage.status,
      cover.map((c) => c.locator).join(';'),
      cover.map((c) => c.rpo).join(';'),
      cover.map((c) => c.retention).join(';'),
      a.coverage.exclusionReason ?? '',
    ]);
  }
}
