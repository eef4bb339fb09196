/**
 * One writer per home. The embedded local cloud keeps DynamoDB in a leveldb directory that only one
 * process may open: a second CLI command starting its own cloud on the same home used to crash with
 * an uncaught "Database is closed". Now the first process holds `<home>/cloud.lock` (created with
 * O_EXCL, holding its pid, command and start time) for as long as its cloud runs; the others wait for
 * it, saying whom they wait for, and give up after a timeout with an error naming the holder. A lock
 * whose process is gone (killed, crashed) is taken over. Commands attaching to `reversa local up`
 * share its cloud and need no lock.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ReversaError } from '#core/errors.ts';

export const LOCK_FILE = 'cloud.lock';

export interface LockHolder {
  pid: number;
  command: string;
  since: string;
}

/** Another process keeps the home busy for longer than we may wait: Reversa's own condition, exit 3. */
export class HomeBusyError extends ReversaError {
  override readonly name = 'HomeBusyError';
}

export interface HomeLockOptions {
  /** What this process is, for whoever waits on it. Default: `reversa <argv>`. */
  command?: string;
  /** How long to wait for the holder. Default 120 s. */
  timeoutMs?: number;
  /** Called once when we start waiting, naming the holder (the CLI prints it). */
  onWait?: (holder: LockHolder) => void;
  /** Injected for tests: time and waiting (the real ones by default). */
  now?: () => number;
  delay?: (ms: number) => Promise<void>;
  isAlive?: (pid: number) => boolean;
}

export interface HomeLock {
  release(): Promise<void>;
}

const POLL_MS = 200;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but is not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const holder = JSON.parse(await readFile(path, 'utf8')) as Partial<LockHolder>;
    return typeof holder.pid === 'number' ? (holder as LockHolder) : undefined;
  } catch {
    return undefined; // gone since, or being written: look again
  }
}

export function describeHolder(holder: LockHolder): string {
  return `'${holder.command}' (pid ${holder.pid}, since ${holder.since})`;
}

export async function acquireHomeLock(home: string, options: HomeLockOptions = {}): Promise<HomeLock> {
  const path = join(home, LOCK_FILE);
  const now = options.now ?? Date.now;
  const delay = options.delay ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const isAlive = options.isAlive ?? processAlive;
  const me: LockHolder = {
    pid: process.pid,
    command: options.command ?? `reversa ${process.argv.slice(2).join(' ')}`.trim(),
    since: new Date(now()).toISOString(),
  };
  const deadline = now() + (options.timeoutMs ?? 120_000);
  let announced = false;
  for (;;) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${JSON.stringify(me)}\n`);
      await handle.close();
      return {
        async release() {
          const holder = await readHolder(path);
          if (holder?.pid === me.pid) await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readHolder(path);
    if (holder && !isAlive(holder.pid)) {
      // Its process is gone: the lock is stale. Removing it races only with other takers, and O_EXCL decides.
      await rm(path, { force: true });
      continue;
    }
    if (holder && now() >= deadline) {
      throw new HomeBusyError(
        'HomeBusy',
        `gave up waiting for ${describeHolder(holder)}, which still uses ${home}; run commands one at a time, or start 'reversa local up' so they share one local cloud`,
      );
    }
    if (holder && !announced) {
      announced = true;
      options.onWait?.(holder);
    }
    await delay(POLL_MS);
  }
}
