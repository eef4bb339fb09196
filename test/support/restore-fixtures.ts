/** Builders for restore-test workflow tests: real tar archives and sha256sum manifests, a strategy, facts. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { FactBatch } from '#core/model.ts';

export const ARCHIVE_BUCKET = 'reversa-data';

/** Writes `files` under `<dir>/data`, tars them with GNU tar (gzip) and manifests them with sha256sum. */
export function makeArchive(dir: string, files: Record<string, string>): { archive: Buffer; manifest: Buffer } {
  const data = join(dir, 'data');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(data, path, '..'), { recursive: true });
    writeFileSync(join(data, path), content);
  }
  execFileSync('tar', ['-czf', join(dir, 'backup.tar.gz'), '-C', data, '.']);
  const manifest = execFileSync('sh', ['-c', 'find . -type f -print0 | sort -z | xargs -0 sha256sum'], { cwd: data });
  return { archive: readFileSync(join(dir, 'backup.tar.gz')), manifest };
}

export async function upload(s3: S3Client, key: string, body: Buffer): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: ARCHIVE_BUCKET, Key: key, Body: body }));
}

export interface PolicyText {
  name: string;
  lines: string[];
}

export function restoreStrategy(
  tenantId: string,
  resources: { locator: string; source: string }[],
  policies: PolicyText[],
) {
  const out = [
    'apiVersion: reversa/v1',
    'tenant:',
    `  id: ${tenantId}`,
    `  name: Tenant ${tenantId}`,
    'timezone: UTC',
    'defaults:',
    '  rpo: 24h',
    '  retention: 7d',
    'resources:',
  ];
  for (const r of resources) out.push(`  - locator: ${JSON.stringify(r.locator)}`, `    source: ${r.source}`);
  out.push('restoreTests:', '  policies:');
  for (const p of policies) out.push(`    - name: ${p.name}`, ...p.lines.map((l) => `      ${l}`));
  return `${out.join('\n')}\n`;
}

export function pointFacts(
  tenantId: string,
  source: 'generic' | 'restic',
  resourceId: string,
  points: { id: string; createdAt: number; status?: 'AVAILABLE' | 'DELETED' }[],
): FactBatch {
  return {
    jobs: [],
    recoveryPoints: points.map((p) => ({
      tenantId,
      source,
      recoveryPointId: p.id,
      resourceId,
      status: p.status ?? 'AVAILABLE',
      createdAt: p.createdAt,
      observedAt: p.createdAt,
    })),
    resources: [
      {
        tenantId,
        source,
        resourceId,
        firstSeenAt: Math.min(...points.map((p) => p.createdAt)),
        lastSeenAt: Math.max(...points.map((p) => p.createdAt)),
      },
    ],
  };
}
