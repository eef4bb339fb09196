/**
 * Building located problems for rejected reports: paths like `jobs[3].state`, line/column
 * from the JSON text when we can find the value, and a cap so one broken report cannot
 * produce a megabyte of error text.
 */
import type { Problem } from '../errors.ts';
import { ValidationError } from '../errors.ts';
import { boundedProblem, quotedKey } from '../text.ts';
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
    else out += `[${quotedKey(seg)}]`;
  }
  return out;
}

/** Where problems of one report go; knows the file and the text to locate paths in. */
export class ProblemList {
  readonly problems: Problem[];
  private readonly dropped: { count: number };

  constructor(
    readonly fileName: string,
    /** JSON text the paths refer to, for line/column; absent when positions are unknowable. */
    private readonly text?: string,
    /** Added to located lines: the 0-based line where `text` starts inside the file (NDJSON). */
    private readonly lineOffset = 0,
    private readonly max = DEFAULT_INGEST_LIMITS.maxProblems,
    /** The parent's problems and drop count when this list is one document's view of it. */
    shared?: { problems: Problem[]; dropped: { count: number } },
  ) {
    this.problems = shared?.problems ?? [];
    this.dropped = shared?.dropped ?? { count: 0 };
  }

  /**
   * A list that locates paths in one document of a multi-document file (starting at 0-based line
   * `lineOffset`) but adds to this list, under the same cap.
   */
  forDocument(text: string, lineOffset: number): ProblemList {
    return new ProblemList(this.fileName, text, lineOffset, this.max, {
      problems: this.problems,
      dropped: this.dropped,
    });
  }

  add(path: readonly PathSegment[], message: string, at?: { line: number; column?: number }): void {
    if (this.problems.length >= this.max) {
      this.dropped.count++;
      return;
    }
    // Paths and messages may carry keys from the report: bounded, so a 1 MB key cannot make a 1 MB error.
    this.problems.push(boundedProblem({ file: this.fileName, ...this.locate(path, at), message }));
  }

  /** The formatted path and, when known, its line and column in the file (`at` is relative to this list's text). */
  locate(path: readonly PathSegment[], at?: { line: number; column?: number }): Omit<Problem, 'file' | 'message'> {
    const where = at ?? (this.text === undefined ? undefined : locateJsonPath(this.text, path));
    const p: Omit<Problem, 'file' | 'message'> = { path: formatPath(path) };
    if (where) {
      p.line = where.line + this.lineOffset;
      if (where.column !== undefined) p.column = where.column;
    }
    return p;
  }

  get empty(): boolean {
    return this.problems.length === 0;
  }

  /** Throws `ValidationError(code)` when any problem was added. */
  throwIfAny(code = 'InvalidJobReport'): void {
    if (this.problems.length === 0) return;
    const all = [...this.problems];
    if (this.dropped.count > 0) {
      all.push({ file: this.fileName, path: '', message: `${this.dropped.count} more problems not shown` });
    }
    throw new ValidationError(code, all);
  }
}

/** One-problem ValidationError for the whole document. */
export function invalidReport(fileName: string, message: string, at?: { line: number; column?: number }): never {
  const p: Problem = boundedProblem({ file: fileName, path: '', message });
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
