import { describe, expect, it } from 'vitest';
import { NotFoundError } from '#core/errors.ts';
import type { BlobStore } from '#core/ports.ts';
import {
  aggregate,
  compactUtc,
  evaluateBatch,
  loadStrategy,
  reportKeyOf,
  runIdFor,
  type VerifyDeps,
} from '#core/use-cases/verify.ts';
import { MemoryFindingStore } from '../../support/memory-findings.ts';
import { MemoryAuditStore, MemoryBlobStore } from '../audit/memory.ts';

function memoryBlobs(): BlobStore & { keys(): string[] } {
  const objects = new Map<string, string>();
  return {
    keys: () => [...objects.keys()],
    putText: async (key, body) => {
      objects.set(key, body);
    },
    getText: async (key) => {
      const body = objects.get(key);
      if (body === undefined) throw new NotFoundError('BlobNotFound', `no object ${key}`);
      return body;
    },
    exists: async (key) => objects.has(key),
    list: async (prefix) => [...objects.keys()].filter((k) => k.startsWith(prefix)),
    move: async () => undefined,
    delete: async (key) => {
      objects.delete(key);
    },
  };
}

function deps(blobs: BlobStore = memoryBlobs()): VerifyDeps {
  return {
    strategies: { getCurrent: async () => undefined },
    facts: { getFacts: async () => new Map(), listSeenResources: async () => [] },
    blobs,
    reports: { putReport: async () => undefined, getLatest: async () => undefined, listReports: async () => [] },
    tenants: { markVerified: async () => undefined },
    clock: { now: () => Date.parse('2026-03-10T12:00:00Z') },
    audit: { store: new MemoryAuditStore(), blobs: new MemoryBlobStore() },
    findings: new MemoryFindingStore(),
  };
}

describe('verify use cases', () => {
  it('fails with NotFoundError naming the tenant when it has no applied strategy', async () => {
    await expect(loadStrategy(deps(), { input: { tenantId: 'acme' } })).rejects.toMatchObject({
      name: 'NotFoundError',
      message: expect.stringContaining('acme'),
    });
  });

  it('rejects an execution input with an invalid tenant id or time before touching any store', async () => {
    await expect(loadStrategy(deps(), { input: { tenantId: 'ACME/../x' } })).rejects.toMatchObject({
      name: 'ValidationError',
    });
    await expect(loadStrategy(deps(), { input: { tenantId: 'acme', at: 'yesterday' } })).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('ISO-8601'),
    });
  });

  it('refuses to read a plan outside the run it was given (another tenant’s key)', async () => {
    await expect(
      evaluateBatch(deps(), { tenantId: 'acme', runId: 'r1', planKey: 'runs/other/r1/plan.json', batch: 0 }),
    ).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining('runs/acme/r1/') });
  });

  it('refuses to aggregate when the batch count does not match the plan', async () => {
    const blobs = memoryBlobs();
    await blobs.putText(
      'runs/acme/r1/plan.json',
      JSON.stringify({
        planVersion: 1,
        at: '2026-03-10T12:00:00.000Z',
        batchSize: 100,
        resources: new Array(150).fill({}),
      }),
    );

    await expect(
      aggregate(deps(blobs), { tenantId: 'acme', runId: 'r1', planKey: 'runs/acme/r1/plan.json', batchCount: 1 }),
    ).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining('expected 2 batches') });
  });

  it('derives a key-safe run id from the execution name, else from tenant and time', () => {
    const at = Date.parse('2026-03-10T12:00:05.123Z');
    expect(runIdFor('acme', at, 'verify-acme-20260310T1200')).toBe('verify-acme-20260310T1200');
    expect(runIdFor('acme', at, 'manual run: 1/2')).toBe('manual-run--1-2');
    expect(runIdFor('acme', at)).toBe('verify-acme-20260310T120005Z');
    expect(compactUtc(at)).toBe('20260310T120005Z');
    expect(reportKeyOf('acme', at, 'r1')).toBe('reports/acme/20260310T120005Z-r1.json');
  });
});
