/** Builds real audit logs (appendEntry + sealDigest with a real FileSigner) for the tests. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSigner } from '#adapters/local/file-signer.ts';
import { appendEntry } from '#core/audit/append.ts';
import { sealDigest } from '#core/audit/digest.ts';
import type { AuditDeps } from '#core/audit/ports.ts';
import { MemoryAuditStore, MemoryBlobStore } from './memory.ts';

export const T0 = Date.parse('2026-09-01T08:00:00.000Z');

export async function tempDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `reversa-audit-${label}-`));
}

export async function memoryDeps(): Promise<AuditDeps & { store: MemoryAuditStore; blobs: MemoryBlobStore }> {
  return {
    store: new MemoryAuditStore(),
    blobs: new MemoryBlobStore(),
    signer: new FileSigner(await tempDir('key')),
  };
}

/** Appends `count` entries one minute apart, sealing a digest after every `sealEvery` entries. */
export async function buildLog(deps: AuditDeps, tenantId: string, count: number, sealEvery: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    await appendEntry(deps, tenantId, {
      type: i % 3 === 0 ? 'restore-test' : 'verification',
      record: { run: i, outcome: i % 5 === 0 ? 'FAILED' : 'PASSED' },
      summary: { run: `run-${i}`, compliancePercent: 90 + (i % 10) + 0.5 },
      time: T0 + i * 60_000,
    });
    if (i % sealEvery === 0) await sealDigest(deps, tenantId, T0 + i * 60_000, { force: true });
  }
}
