/**
 * Pure parts of the restic runner: reading `restic ls --json`, choosing the sampled paths, mapping
 * restic's failures to typed errors, and judging the restored files. The process itself runs in
 * adapters/host/restic-runner.ts.
 *
 * Exit codes: restic ≥ 0.17 documents 0 ok, 1 error, 10 no repository, 11 locked, 12 wrong password.
 * Debian's restic 0.14 exits 1 for all of those, so the stderr text is matched as well (only to pick
 * the error type: stderr is never copied into our messages, it may quote the repository URL).
 */
import { ConfigError, NotFoundError, ReversaError, TransientError, ValidationError } from '../errors.ts';

export interface SecretProvider {
  /** The secret's value by NAME. Implementations must never log or echo the value. */
  getSecret(name: string): Promise<string>;
}

export interface ResticSnapshotInfo {
  id: string;
  time: string;
  paths: string[];
  hostname?: string;
}

export interface ResticListing {
  snapshot: ResticSnapshotInfo;
  /** Regular files: snapshot path (as `restic ls` prints it, e.g. /data/a.txt) → size. */
  files: Map<string, number>;
}

export const MAX_RESTIC_LS_LINE_BYTES = 1024 * 1024;
/** restic 0.14 has no --include-file: more paths than this would overflow argv, so a bigger sample restores all. */
export const MAX_INCLUDE_PATHS = 1000;

function invalid(message: string): ValidationError {
  return new ValidationError('InvalidResticOutput', [{ file: 'restic ls --json', path: '', message }]);
}

/** Consumes `restic ls --json <snapshot>` line by line (one JSON object per line). */
export async function parseResticLs(lines: AsyncIterable<string>): Promise<ResticListing> {
  let snapshot: ResticSnapshotInfo | undefined;
  const files = new Map<string, number>();
  for await (const line of lines) {
    if (line.trim() === '') continue;
    if (line.length > MAX_RESTIC_LS_LINE_BYTES) throw invalid('line too long');
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw invalid('a line is not JSON');
    }
    if (value.struct_type === 'snapshot') {
      if (typeof value.id !== 'string' || typeof value.time !== 'string' || !Array.isArray(value.paths))
        throw invalid('snapshot line without id, time or paths');
      snapshot = { id: value.id, time: value.time, paths: value.paths.map(String) };
      if (typeof value.hostname === 'string') snapshot.hostname = value.hostname;
    } else if (value.struct_type === 'node' && value.type === 'file') {
      if (typeof value.path !== 'string') throw invalid('node without path');
      files.set(value.path, typeof value.size === 'number' ? value.size : 0);
    }
  }
  if (snapshot === undefined) throw invalid('no snapshot line');
  return { snapshot, files };
}

/** restic's include patterns are filepath.Match globs: escape the metacharacters of a literal path. */
export function includePattern(path: string): string {
  return path.replace(/[\\*?[\]]/g, (c) => `\\${c}`);
}

export type ResticCommand = 'restore' | 'check' | 'ls' | 'dump' | 'snapshots';

/** The typed error for a failed restic command (never including stderr or the password). */
export function resticError(command: ResticCommand, exitCode: number | null, stderr: string): ReversaError {
  const what = `restic ${command}`;
  if (exitCode === 12 || /wrong password or no key found/i.test(stderr)) {
    return new ConfigError(
      'ResticWrongPassword',
      `${what}: the repository password from the secret store is wrong (no key found)`,
    );
  }
  if (exitCode === 10 || /unable to open config file|Is there a repository at the following location/i.test(stderr)) {
    return new NotFoundError('ResticRepositoryNotFound', `${what}: no restic repository at the configured location`);
  }
  if (exitCode === 11 || /unable to create lock|repository is already locked/i.test(stderr)) {
    return new TransientError('ResticRepositoryLocked', `${what}: the repository is locked by another process`);
  }
  if (exitCode === null) return new TransientError('ResticKilled', `${what} was killed before it finished`);
  return new ReversaError('ResticFailed', `${what} failed with exit code ${exitCode}`);
}

/** restic restores `/data/a.txt` of a snapshot to `<target>/data/a.txt`: the sandbox-relative path. */
export function sandboxPathOf(snapshotPath: string): string {
  return snapshotPath.replace(/^\/+/, '');
}
