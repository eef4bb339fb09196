/**
 * The tenant audit log as the Lambdas compose it (awsAdapters: DynamoAuditStore, S3BlobStore on the audit bucket,
 * KmsSigner), every part on moto: the main table, the Object Lock audit bucket and the ECDSA P-256 signing key
 * created from the stateful stack's template. Concurrent appends must serialise on DynamoDB's conditional put
 * (no gap, no fork), and the sealed log must verify offline, with the public key alone, by core/audit/verify.ts
 * and by openssl.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { appendEntry } from '#core/audit/append.ts';
import { sealDigest } from '#core/audit/digest.ts';
import { exportAudit } from '#core/audit/export.ts';
import { verifyAuditDir, verifyLive } from '#core/audit/verify.ts';
import type { Adapters } from '#wiring/adapters.ts';
import { awsAdapters } from '#wiring/aws/adapters.ts';
import {
  bucketProperties,
  createBucketAsCloudFormation,
  createKeyAsCloudFormation,
  keyPropertiesByAlias,
} from './stateful-template.ts';
import { createMainTable, uniqueName } from './support.ts';

const run = promisify(execFile);
const T0 = Date.parse('2026-05-01T08:00:00Z');

let adapters: Adapters;
beforeAll(async () => {
  const auditBucket = uniqueName('audit-log');
  const [tableName, auditKeyId] = await Promise.all([
    createMainTable('audit-log'),
    createKeyAsCloudFormation(new KMSClient({}), keyPropertiesByAlias('alias/reversa-audit-signing')),
    createBucketAsCloudFormation(new S3Client({}), auditBucket, bucketProperties('audit/')),
  ]);
  // Resource names as the functions get them from their environment; the data bucket and bus are not used here.
  adapters = awsAdapters({
    tableName,
    auditBucket,
    auditKeyId,
    dataBucket: 'not-used-by-this-test',
    eventBusName: 'not-used-by-this-test',
  });
});

function append(tenantId: string, i: number) {
  return appendEntry(adapters.audit, tenantId, {
    type: 'verification',
    record: { run: i },
    summary: { run: `run-${i}`, compliancePercent: 90 },
    time: T0 + i * 1_000,
  });
}

describe('the audit log on moto (DynamoDB + S3 Object Lock + KMS)', () => {
  it('gives 20 concurrent appends the seqs 1 to 20, each chained on the one before it', async () => {
    const tenant = uniqueName('concurrent');

    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => append(tenant, i + 1)));

    expect(results.map((r) => r.entry.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // The appends really raced: some lost a conditional put and retried on the new head.
    expect(results.reduce((n, r) => n + r.conflicts, 0)).toBeGreaterThan(0);
    const live = await verifyLive(adapters.audit, tenant, await adapters.audit.signer!.publicKeyPem());
    expect(live).toMatchObject({ ok: true, entries: 20, headSeq: 20, problems: [] });
  });

  it('seals the entries with a KMS-signed digest that verifies offline with the exported public key', async () => {
    const tenant = uniqueName('sealed');
    await Promise.all(Array.from({ length: 5 }, (_, i) => append(tenant, i + 1)));
    const sealed = await sealDigest(adapters.audit, tenant, T0 + 60_000, { force: true });
    const dir = await mkdtemp(join(tmpdir(), 'reversa-audit-export-'));

    const exported = await exportAudit(adapters.audit, tenant, dir, T0 + 60_000);
    const verification = await verifyAuditDir(dir, await readFile(join(dir, 'public-key.pem'), 'utf8'));
    const openssl = await run('openssl', [
      'dgst',
      '-sha256',
      '-verify',
      join(dir, 'public-key.pem'),
      '-signature',
      join(dir, 'digests', '000000000001.json.sig'),
      join(dir, 'digests', '000000000001.json'),
    ]);

    expect(sealed.sealed).toBe(true);
    expect(exported).toMatchObject({ entries: 5, digests: 1, filledFromStore: 0 });
    expect(verification).toMatchObject({ ok: true, entries: 5, digests: 1, unsealed: 0, problems: [] });
    expect(openssl.stdout.trim()).toBe('Verified OK');
  });

  it('names the altered entry when an exported entry is edited after sealing', async () => {
    const tenant = uniqueName('tampered');
    await Promise.all(Array.from({ length: 3 }, (_, i) => append(tenant, i + 1)));
    await sealDigest(adapters.audit, tenant, T0 + 60_000, { force: true });
    const dir = await mkdtemp(join(tmpdir(), 'reversa-audit-tamper-'));
    await exportAudit(adapters.audit, tenant, dir, T0 + 60_000);
    const [, second] = (await readdir(join(dir, 'entries'))).sort();
    const path = join(dir, 'entries', second ?? '');
    await writeFile(path, (await readFile(path, 'utf8')).replace('"compliancePercent":90', '"compliancePercent":99'));

    const verification = await verifyAuditDir(dir, await readFile(join(dir, 'public-key.pem'), 'utf8'));

    expect(verification.ok).toBe(false);
    expect(verification.firstBad?.seq).toBe(2);
  });
});
