import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '#core/errors.ts';
import { ingestReport, ingestS3Object } from '#core/use-cases/ingest-report.ts';
import { type CloudFixture, startTestCloud, uniqueTenant } from '../../support/local-cloud.ts';

const RECEIVED = Date.parse('2026-03-01T12:00:00Z');

let fx: CloudFixture;
beforeAll(async () => {
  fx = await startTestCloud();
});
afterAll(async () => fx.stop());

function genericReport(jobs: Array<{ id: string; resource: string; state: string; startedAt: string }>): string {
  return JSON.stringify({ reversaJobReport: 1, tool: 'nightly-script', jobs });
}

const goodReport = genericReport([
  { id: 'j1', resource: 'files-01', state: 'COMPLETED', startedAt: '2026-03-01T02:00:00Z' },
  { id: 'j2', resource: 'files-02', state: 'FAILED', startedAt: '2026-03-01T02:05:00Z' },
]);

/** Valid JSON, but the second job has an unknown state: the FIRST job must not be stored either. */
const badReport = genericReport([
  { id: 'j1', resource: 'files-01', state: 'COMPLETED', startedAt: '2026-03-01T02:00:00Z' },
  { id: 'j2', resource: 'files-02', state: 'DONE', startedAt: '2026-03-01T02:05:00Z' },
]);

describe('ingestReport', () => {
  it('stores the facts of a valid report and marks the tenant dirty', async () => {
    const tenantId = uniqueTenant('ok');

    const result = await ingestReport(fx.adapters, {
      tenantId,
      fileName: 'r.json',
      text: goodReport,
      receivedAt: RECEIVED,
    });

    expect(result).toMatchObject({ status: 'ingested', format: 'generic', jobs: 2, written: expect.any(Number) });
    const facts = await fx.adapters.facts.getFacts(tenantId, ['files-01', 'files-02'], 0);
    expect(facts.get('files-02')?.jobs[0]?.state).toBe('FAILED');
    expect((await fx.adapters.tenants.get(tenantId))?.dirtySince).toBe(RECEIVED);
  });

  it('quarantines a malformed report with its reason and stores nothing from it', async () => {
    const tenantId = uniqueTenant('bad');

    const result = await ingestReport(fx.adapters, {
      tenantId,
      fileName: 'tools/r.json',
      text: badReport,
      receivedAt: RECEIVED,
    });

    expect(result.status).toBe('rejected');
    if (result.status !== 'rejected') return;
    expect(result.quarantineKey.startsWith(`quarantine/${tenantId}/`)).toBe(true);
    expect(await fx.adapters.blobs.getText(result.quarantineKey)).toBe(badReport);
    const reason = JSON.parse(await fx.adapters.blobs.getText(result.reasonKey));
    expect(reason).toMatchObject({ tenantId, reason: 'InvalidJobReport' });
    expect(reason.problems[0].path).toBe('jobs[1].state');
    const facts = await fx.adapters.facts.getFacts(tenantId, ['files-01', 'files-02'], 0);
    expect(facts.get('files-01')).toEqual({ jobs: [], recoveryPoints: [] });
    expect(await fx.adapters.facts.listSeenResources(tenantId)).toEqual([]);
    expect(await fx.adapters.tenants.get(tenantId)).toBeUndefined();
  });

  it('refuses a tenant id that cannot be used in a storage key', async () => {
    const attempt = ingestReport(fx.adapters, {
      tenantId: '../etc',
      fileName: 'r.json',
      text: goodReport,
      receivedAt: RECEIVED,
    });

    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('ingestS3Object', () => {
  it('takes the tenant from the inbox key and moves the report to processed/', async () => {
    const tenantId = uniqueTenant('s3ok');
    const key = `inbox/${tenantId}/nightly/2026-03-01.json`;
    await fx.adapters.blobs.putText(key, goodReport);

    const result = await ingestS3Object(fx.adapters, key, RECEIVED);

    expect(result).toMatchObject({
      status: 'ingested',
      tenantId,
      processedKey: `processed/${tenantId}/nightly/2026-03-01.json`,
    });
    expect(await fx.adapters.blobs.exists(key)).toBe(false);
    expect(await fx.adapters.blobs.getText(`processed/${tenantId}/nightly/2026-03-01.json`)).toBe(goodReport);
  });

  it('skips a second notification for an object already processed', async () => {
    const tenantId = uniqueTenant('s3dup');
    const key = `inbox/${tenantId}/r.json`;
    await fx.adapters.blobs.putText(key, goodReport);
    await ingestS3Object(fx.adapters, key, RECEIVED);

    const again = await ingestS3Object(fx.adapters, key, RECEIVED);

    expect(again).toMatchObject({ status: 'skipped', reason: 'already-processed' });
  });

  it('moves a malformed object to quarantine/ next to its reason record', async () => {
    const tenantId = uniqueTenant('s3bad');
    const key = `inbox/${tenantId}/r.json`;
    await fx.adapters.blobs.putText(key, badReport);

    const result = await ingestS3Object(fx.adapters, key, RECEIVED);

    expect(result).toMatchObject({ status: 'rejected', quarantineKey: `quarantine/${tenantId}/r.json` });
    expect(await fx.adapters.blobs.exists(key)).toBe(false);
    expect(await fx.adapters.blobs.getText(`quarantine/${tenantId}/r.json`)).toBe(badReport);
    expect(await fx.adapters.facts.listSeenResources(tenantId)).toEqual([]);
  });

  it('refuses an object over the report size limit without storing anything', async () => {
    const tenantId = uniqueTenant('s3big');
    const key = `inbox/${tenantId}/huge.json`;
    await fx.adapters.blobs.putText(key, ' '.repeat(16 * 1024 * 1024 + 1));

    const result = await ingestS3Object(fx.adapters, key, RECEIVED);

    expect(result).toMatchObject({ status: 'rejected', code: 'ObjectTooLarge' });
    expect(await fx.adapters.blobs.exists(key)).toBe(false);
  });

  it('rejects a key outside the inbox', async () => {
    await expect(ingestS3Object(fx.adapters, 'reports/acme/x.json', RECEIVED)).rejects.toBeInstanceOf(ValidationError);
  });
});
