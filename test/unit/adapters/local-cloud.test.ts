import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '#local/cloud.ts';
import { localAdapters } from '#wiring/local/adapters.ts';

const clouds: LocalCloud[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of clouds.splice(0)) await c.stop();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function home(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'reversa-cloud-'));
  dirs.push(dir);
  return dir;
}

describe('startLocalCloud', () => {
  it('starts both emulators on loopback in well under two seconds', async () => {
    const started = performance.now();
    const cloud = await startLocalCloud({ home: await home(), persist: false });
    clouds.push(cloud);
    const elapsed = performance.now() - started;

    expect(elapsed).toBeLessThan(2_000);
    expect(cloud.endpoints.dynamodb).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(cloud.endpoints.s3).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('keeps tables and objects across a restart on the same home when persisting', async () => {
    const dir = await home();
    const first = await startLocalCloud({ home: dir, persist: true });
    const a = localAdapters(first);
    await a.tenants.markDirty('persisted', 42);
    await a.blobs.putText('kept.txt', 'still here');
    await first.stop();

    const second = await startLocalCloud({ home: dir, persist: true });
    clouds.push(second);
    const b = localAdapters(second);

    expect(await b.tenants.get('persisted')).toEqual({ tenantId: 'persisted', dirtySince: 42 });
    expect(await b.blobs.getText('kept.txt')).toBe('still here');
  });

  it('exports the environment so default SDK clients reach the local cloud', async () => {
    const cloud = await startLocalCloud({ home: await home(), persist: false });
    clouds.push(cloud);

    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(cloud.endpoints.dynamodb);
    expect(process.env.REVERSA_TABLE).toBe(cloud.tableName);
    expect(process.env.AWS_REQUEST_CHECKSUM_CALCULATION).toBe('WHEN_REQUIRED');
  });
});
