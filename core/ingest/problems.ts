/**
 * Building located problems for rejected reports: paths like `jobs[3].state`, line/column
 * from the JSON text when we can find the value, and a cap so one broken report cannot
 * produce a megabyte of error text.
 */
import type { Problem } from '../errors.ts';
import { ValidationError } from '../errors.ts';
import { locateJsonPath, type PathSegment } from './json-locate.ts';
import { DEFAULT_INGEST_LIMITS } from './limits.ts';

// Re-exported: the parsers import paths and problems from one place; json-locate owns the type so the
// two modules do not import each other.
export type { PathSegment };

/** `['jobs', 3, 'state']` → `jobs[3].state`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Where problems of one report go; knows the file and the text to locate paths in. */
export class ProblemList {
  readonly problems: Problem[] = [];
  private truncated = 0;

  constructor(
    readonly fileName: string,
    /** JSON text the paths refer to, for line/column; absent when positions are unknowable. */
    private readonly text?: string,
    /** Added to located lines: the 0-based line where `text` starts inside the file (NDJSON). */
    private readonly lineOffset = 0,
    private readonly max = DEFAULT_INGEST_LIMITS.maxProblems,
  ) {}

  add(path: readonly PathSegment[], message: string, at?: { line: number; column?: number }): void {
    if (this.problems.length >= this.max) {
      this.truncated++;
      return;
    }
    const where = at ?? (this.text === undefined ? undefined : locateJsonPath(this.text, path));
    const p: Problem = { file: this.fileName, path: formatPath(path), message };
    if (where) {
      p.line = where.line + this.lineOffset;
      if (where.column !== undefined) p.column = where.column;
    }
    this.problems.push(p);
  }

  get empty(): boolean {
    return this.problems.length === 0;
  }

  /** Throws `ValidationError(code)` when any problem was added. */
  throwIfAny(code = 'InvalidJobReport'): void {
    if (this.problems.length === 0) return;
    const all = [...this.problems];
    if (this.truncated > 0) {
      all.push({ file: this.fileName, path: '', message: `${this.truncated} more problems not shown` });
    }
    throw new ValidationError(code, all);
  }
}

/** One-problem ValidationError for the whole document. */
export function invalidReport(fileName: string, message: string, at?: { line: number; column?: number }): never {
  const p: Problem = { file: fileName, path: '', message };
  if (at) {
    p.line = at.line;
    if (at.column !== undefined) p.column = at.column;
  }
  throw new ValidationError('InvalidJobReport', [p]);
}

/** Minimal shape of a zod issue we map (kept structural so this file does not depend on zod's types). */
export interface SchemaIssue {
  path: readonly PropertyKey[];
  message: string;
}

export function addSchemaIssues(
  list: ProblemList,
  issues: readonly SchemaIssue[],
  prefix: readonly PathSegment[] = [],
): void {
  for (const issue of issues) {
    const path = [...prefix, ...issue.path.map((k) => (typeof k === 'number' ? k : String(k)))];
    list.add(path, issue.message);
  }
}
