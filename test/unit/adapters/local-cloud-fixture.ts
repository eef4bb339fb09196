/** Starts a real local cloud (dynalite + s3rver) in a fresh temp directory for one test file. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Adapters, composeLocal } from '#adapters/compose.ts';
import { type LocalCloud, startLocalCloud } from '#local/cloud.ts';

export interface CloudFixture {
  cloud: LocalCloud;
  adapters: Adapters;
  stop(): Promise<void>;
}

export async function startTestCloud(options: { persist?: boolean } = {}): Promise<CloudFixture> {
  const home = await mkdtemp(join(tmpdir(), 'reversa-test-'));
  const cloud = await startLocalCloud({ home, persist: options.persist ?? false });
  return {
    cloud,
    adapters: composeLocal(cloud),
    async stop() {
      await cloud.stop();
      await rm(home, { recursive: true, force: true });
    },
  };
}

let counter = 0;
/** A tenant id unique within the test file, so tests sharing one table never see each other's rows. */
export function uniqueTenant(label: string): string {
  counter += 1;
  return `${label}-${counter}`;
}
