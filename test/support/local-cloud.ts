/**
 * A real local cloud (dynalite + s3rver) in a fresh temp directory for one test file, with the
 * shared adapters on the clock the test gives (a settable or stepping fake clock: no test sleeps).
 * `root` is the test's own scratch directory (the cloud's home is `root/home`); `stop()` removes it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Clock, systemClock } from '#core/ports.ts';
import { type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import { type LocalAdapters, localAdapters } from '#wiring/local/adapters.ts';

export interface CloudFixture {
  /** Scratch directory of the test; the cloud lives in `root/home`. */
  root: string;
  cloud: LocalCloud;
  adapters: LocalAdapters;
  stop(): Promise<void>;
}

export interface TestCloudOptions {
  /** Keep DynamoDB/S3 state on disk under the home (default false: in memory / temp). */
  persist?: boolean;
  /** The adapters' clock (default: the system clock). */
  clock?: Clock;
  /** Prefix of the temp directory, to tell test files apart when one is left behind. */
  label?: string;
}

export async function startTestCloud(options: TestCloudOptions = {}): Promise<CloudFixture> {
  const root = await mkdtemp(join(tmpdir(), `reversa-${options.label ?? 'test'}-`));
  const cloud = await startLocalCloud({ home: join(root, 'home'), persist: options.persist ?? false });
  return {
    root,
    cloud,
    adapters: localAdapters(cloud, options.clock ?? systemClock),
    async stop() {
      await cloud.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A clock that moves one second forward at every read, from `start`: spans in evidence are never zero. */
export function steppingClock(start: number, stepMs = 1000): Clock {
  let now = start;
  return { now: () => (now += stepMs) };
}

let counter = 0;
/** A tenant id unique within the test file, so tests sharing one table never see each other's rows. */
export function uniqueTenant(label: string): string {
  counter += 1;
  return `${label}-${counter}`;
}
