/**
 * Reads a strategy document (YAML, or JSON which is YAML) and validates it, reporting EVERY problem at
 * once with file, line, column and path, because a provider engineer fixing a strategy should not
 * have to run the validation ten times to find ten typos.
 */
import { createHash } from 'node:crypto';
import { type Document, isAlias, LineCounter, type Node, parseDocument, visit, type YAMLError } from 'yaml';
import type * as z from 'zod';
import { type Problem, ValidationError } from '../errors.ts';
import { boundedProblem, MAX_NESTING_DEPTH } from '../text.ts';
import { allowedKeysAt, closestKey } from './keys.ts';
import { type StrategyDocument, strategySchema } from './schema.ts';
import { semanticFindings } from './semantic.ts';
import { controlCharactersInData, deepNesting, forbiddenCharacters, placeOfOffset } from './text-checks.ts';
import { formatPath, keyNodeOf, locate, type Place, pathAtOffset, placeAt, placeOf } from './yaml-locate.ts';

export interface ParsedStrategy {
  document: StrategyDocument;
  /** The text as given: stored verbatim for audits. */
  text: string;
  fileName: string;
  /** Hex SHA-256 of the UTF-8 text: identifies the version. */
  contentSha256: string;
}

export const MAX_STRATEGY_BYTES = 1024 * 1024;
/** Anchors are handy for shared policies; hundreds of aliases are an expansion attack ("billion laughs"). */
export const MAX_ALIASES = 50;
/** Past this many, more problems add noise rather than help (and bound the error size). */
export const MAX_PROBLEMS = 200;

export function parseStrategy(text: string, fileName: string): ParsedStrategy {
  const problems: Problem[] = [];
  const at = (place: Place, path: string, message: string) =>
    problems.push({ file: fileName, ...place, path, message });

  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_STRATEGY_BYTES) {
    at(
      { line: 1, column: 1 },
      '',
      `document is ${bytes} bytes; a strategy may be at most ${MAX_STRATEGY_BYTES} bytes (1 MiB)`,
    );
    throw invalid(problems);
  }

  // Hostile text before the YAML parser sees it: it recurses on nesting, and keeps what it should refuse.
  for (const f of forbiddenCharacters(text)) at(placeOfOffset(text, f.offset), '', f.message);
  if (problems.length > 0) throw invalid(problems);
  const deep = deepNesting(text);
  if (deep) {
    at(
      placeOfOffset(text, deep.offset),
      '',
      `nested more than ${MAX_NESTING_DEPTH} levels deep (mappings and lists inside each other): no strategy nests like this`,
    );
    throw invalid(problems);
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  for (const error of [...doc.errors, ...doc.warnings]) {
    const offset = error.pos[0];
    at(placeAt(lineCounter, offset), formatPath(pathAtOffset(doc, offset)), yamlMessage(error, text));
  }
  checkAliases(doc, lineCounter, at);
  // Syntax problems make the data unreliable: locating schema problems in it would mislead.
  if (problems.length > 0) throw invalid(problems);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch {
    at(
      placeOf(lineCounter, doc.contents ?? undefined),
      '',
      'the document could not be read: too many or unresolvable aliases',
    );
    throw invalid(problems);
  }

  for (const f of controlCharactersInData(data)) {
    const key = f.path[f.path.length - 1];
    const node = f.inKey ? keyNodeOf(locate(doc, f.path.slice(0, -1)).node, String(key)) : locate(doc, f.path).node;
    at(placeOf(lineCounter, node), formatPath(f.path), f.message);
  }

  const result = strategySchema.safeParse(data);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(...issueProblems(issue, doc, lineCounter, data, fileName));
  }
  for (const finding of semanticFindings(data)) {
    at(placeOf(lineCounter, locate(doc, finding.path).node), formatPath(finding.path), finding.message);
  }
  if (problems.length > 0 || !result.success) throw invalid(problems);

  return {
    document: result.data,
    text,
    fileName,
    contentSha256: createHash('sha256').update(text, 'utf8').digest('hex'),
  };
}

function invalid(all: Problem[]): ValidationError {
  // Keys and paths come from the document: bounded, so a 100 KB key cannot make a 100 KB error.
  const problems = all.map(boundedProblem);
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.line}:${p.column}:${p.path}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  unique.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || cmp(a.path, b.path));
  if (unique.length > MAX_PROBLEMS) {
    const rest = unique.length - MAX_PROBLEMS;
    const last = unique[MAX_PROBLEMS]!;
    unique.length = MAX_PROBLEMS;
    unique.push({ ...last, path: '', message: `... and ${rest} more problems not shown` });
  }
  return new ValidationError('InvalidStrategy', unique);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function yamlMessage(error: YAMLError, text: string): string {
  switch (error.code) {
    case 'DUPLICATE_KEY': {
      // The error spans one character: read the key (plain or quoted) that starts there.
      const key = /^("[^"\n]*"|'[^'\n]*'|[^:,{}\n]*)/.exec(text.slice(error.pos[0], error.pos[0] + 130))?.[1]?.trim();
      return `duplicate key '${key}': each key may appear only once in a mapping`;
    }
    case 'MULTIPLE_DOCS':
      return "a strategy file holds exactly one YAML document: remove the '---' separator and what follows";
    case 'TAG_RESOLVE_FAILED':
      return `${error.message}: custom YAML tags are not supported`;
    default:
      return `YAML syntax error: ${error.message}`;
  }
}

function checkAliases(doc: Document, lineCounter: LineCounter, at: (p: Place, path: string, m: string) => void): void {
  let count = 0;
  visit(doc, {
    Alias(_key, node) {
      count++;
      if (count > MAX_ALIASES) {
        at(
          placeOf(lineCounter, node),
          formatPath(pathAtOffset(doc, node.range?.[0] ?? 0)),
          `more than ${MAX_ALIASES} aliases: a strategy may reuse anchors at most ${MAX_ALIASES} times`,
        );
        return visit.BREAK;
      }
      if (!node.resolve(doc)) {
        at(
          placeOf(lineCounter, node),
          formatPath(pathAtOffset(doc, node.range?.[0] ?? 0)),
          `unknown anchor '${node.source}': an alias must refer to an anchor (&${node.source}) defined before it`,
        );
      }
      return undefined;
    },
  });
}

function valueAt(data: unknown, path: readonly PropertyKey[]): { parent: unknown; value: unknown } {
  let parent: unknown;
  let value: unknown = data;
  for (const seg of path) {
    parent = value;
    value =
      typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[seg as string] : undefined;
  }
  return { parent, value };
}

function describeKind(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

/** One zod issue becomes one problem, or one per key for unknown keys, each placed in the YAML text. */
function issueProblems(
  issue: z.core.$ZodIssue,
  doc: Document,
  lineCounter: LineCounter,
  data: unknown,
  file: string,
): Problem[] {
  const path = issue.path;
  const located = locate(doc, path);

  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeysAt(strategySchema, path) ?? [];
    const allowedText =
      allowed.length === 0 ? 'this section is reserved and accepts no keys yet' : `allowed keys: ${allowed.join(', ')}`;
    return issue.keys.map((key) => {
      const suggestion = closestKey(key, allowed);
      const hint = suggestion ? ` (did you mean '${suggestion}'?)` : '';
      return {
        file,
        ...placeOf(lineCounter, keyNodeOf(located.node, key) ?? located.node),
        path: formatPath([...path, key]),
        message: `unknown key '${key}'${hint}; ${allowedText}`,
      };
    });
  }

  const { parent, value } = valueAt(data, path);
  const last = path[path.length - 1];
  const missing =
    path.length > 0 &&
    value === undefined &&
    typeof parent === 'object' &&
    parent !== null &&
    !Array.isArray(parent) &&
    !Object.hasOwn(parent, last as string);
  if (missing) {
    // The key is absent: point at the mapping that should hold it (its own key when it has one).
    const parentLocated = locate(doc, path.slice(0, -1));
    return [
      {
        file,
        ...placeOf(lineCounter, parentLocated.keyNode ?? parentLocated.node),
        path: formatPath(path),
        message: `missing required key '${String(last)}'`,
      },
    ];
  }

  let message = issue.message;
  if (issue.code === 'invalid_type' && issue.expected === 'object') {
    message = `expected a mapping (key: value lines), found ${describeKind(value)}`;
  } else if (issue.code === 'invalid_type' && issue.expected === 'array') {
    message = `expected a list ('- ' items), found ${describeKind(value)}`;
  }
  const node: Node | undefined = located.depth === path.length ? located.node : (located.keyNode ?? located.node);
  return [{ file, ...placeOf(lineCounter, isAlias(node) ? undefined : node), path: formatPath(path), message }];
}
