/**
 * Payload path rules. A path must mean the same file to unzip, sha256sum, BagIt tools and every
 * OS the successor may use, so anything ambiguous is refused rather than escaped.
 */
import { type Problem, ValidationError } from '#core/errors.ts';

const MAX_PATH_BYTES = 1024;
// Control characters would break the one-line-per-file manifests; '%' would have to be
// percent-encoded per RFC 8493 §2.1.3, which sha256sum does not decode; '\' is a separator on
// Windows and sha256sum escapes it.
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const FORBIDDEN = /[\u0000-\u001f\u007f\\%]/;

/** Why `path` (relative to data/) is unsafe, or undefined when it is fine. */
export function unsafePathReason(path: string): string | undefined {
  if (path.length === 0) return 'must not be empty';
  if (path.startsWith('/')) return 'must be relative (no leading "/")';
  if (/^[A-Za-z]:/.test(path)) return 'must be relative (no drive letter)';
  if (FORBIDDEN.test(path)) return 'must not contain control characters, "\\" or "%"';
  if (path.normalize('NFC') !== path) return 'must be Unicode NFC-normalized';
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) return `must be at most ${MAX_PATH_BYTES} bytes`;
  for (const segment of path.split('/')) {
    if (segment === '') return 'must not contain empty segments ("//" or a trailing "/")';
    if (segment === '.' || segment === '..') return 'must not contain "." or ".." segments';
  }
  return undefined;
}

export function assertSafePath(path: string, where: string, file: string): void {
  const reason = unsafePathReason(path);
  if (reason)
    throw new ValidationError('UnsafeBagPath', [{ file, path: where, message: `${JSON.stringify(path)} ${reason}` }]);
}

/** Byte-wise (UTF-8) order, the order `LC_ALL=C sort` and the zip entries use. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Checks one more path of a stream that must be strictly increasing byte-wise. */
export function assertAfter(previous: string | undefined, path: string, where: string, file: string): void {
  if (previous === undefined) return;
  const order = compareBytes(previous, path);
  if (order === 0)
    throw new ValidationError('DuplicateBagPath', [
      { file, path: where, message: `duplicate path ${JSON.stringify(path)}` },
    ]);
  if (order > 0) {
    const problem: Problem = {
      file,
      path: where,
      message: `${JSON.stringify(path)} arrives after ${JSON.stringify(previous)}: payload entries must be sorted byte-wise`,
    };
    throw new ValidationError('UnsortedBagPayload', [problem]);
  }
}

/** Bag names become a zip folder and a file name: keep them portable. */
export function assertBagName(bagName: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(bagName) || bagName.includes('..')) {
    throw new ValidationError('InvalidBagName', [
      { file: '<bag>', path: 'bagName', message: 'expected letters, digits, ".", "_" or "-" (at most 200, no "..")' },
    ]);
  }
}
