/**
 * The writer's checks on what it is asked to bag: payload sizes within the zip format's limits, a
 * well-formed fetch.txt list, and the parent folders of each path (a name cannot be both a file and
 * a folder). Each failure names the bag, the entry and what was expected.
 */
import { ValidationError } from '#core/errors.ts';
import { MAX_ENTRY_BYTES } from './limits.ts';
import { assertAfter, assertSafePath, compareBytes } from './paths.ts';
import type { FetchEntry } from './types.ts';

function tooLargeError(bagName: string, where: string, path: string, size: number): ValidationError {
  return new ValidationError('BagEntryTooLarge', [
    {
      file: bagName,
      path: where,
      message:
        `data/${path} is ${size} bytes: a zip entry must stay below 4 GiB. Reference it through fetch.txt ` +
        '(a FetchEntry with its URL, size and SHA-256) or split it with splitLargeEntry() into parts below 4 GiB',
    },
  ]);
}

export function assertSize(bagName: string, where: string, path: string, size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new ValidationError('InvalidBagEntrySize', [
      { file: bagName, path: where, message: `size of data/${path} must be a non-negative integer` },
    ]);
  }
  if (size > MAX_ENTRY_BYTES) throw tooLargeError(bagName, where, path, size);
}

export function validateFetch(bagName: string, fetch: readonly FetchEntry[]): FetchEntry[] {
  const sorted = [...fetch].sort((a, b) => compareBytes(a.path, b.path));
  let previous: string | undefined;
  sorted.forEach((f, i) => {
    const where = `fetch[${i}]`;
    assertSafePath(f.path, `${where}.path`, bagName);
    assertAfter(previous, f.path, `${where}.path`, bagName);
    previous = f.path;
    if (!Number.isSafeInteger(f.size) || f.size < 0) {
      throw new ValidationError('InvalidFetchEntry', [
        { file: bagName, path: `${where}.size`, message: 'expected a non-negative integer' },
      ]);
    }
    if (!/^[0-9a-f]{64}$/.test(f.sha256)) {
      throw new ValidationError('InvalidFetchEntry', [
        { file: bagName, path: `${where}.sha256`, message: 'expected 64 lower-case hex digits' },
      ]);
    }
    if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(f.url)) {
      throw new ValidationError('InvalidFetchEntry', [
        { file: bagName, path: `${where}.url`, message: 'expected an absolute URL without spaces' },
      ]);
    }
  });
  return sorted;
}

/** Each zip entry path's parent folders, shallowest first: `a/b/c` → `a/`, `a/b/`. */
export function parentDirs(path: string): string[] {
  const segments = path.split('/');
  return segments.slice(0, -1).map((_, i) => `${segments.slice(0, i + 1).join('/')}/`);
}
