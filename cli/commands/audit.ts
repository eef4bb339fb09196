import { readFile } from 'node:fs/promises';
import { sealDigest } from '#core/audit/digest.ts';
import { exportAudit } from '#core/audit/export.ts';
import { parseExpectedHead } from '#core/audit/sealed-head.ts';
import type { AuditVerification } from '#core/audit/types.ts';
import { verifyAuditDir, verifyLive } from '#core/audit/verify.ts';
import { ValidationError } from '#core/errors.ts';
import { parseCommand, requireString, usageError } from '../args.ts';
import { openContext } from '../context.ts';
import { paint, write, writeJson } from '../output.ts';
import { openTenantContext } from '../tenant.ts';

export async function auditCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'export') return exportCommand(rest);
  if (sub === 'verify') return verifyCommand(rest);
  throw usageError(
    `'reversa audit' needs a subcommand: export --tenant <id> --out <dir>, verify <dir> --public-key <pem>`,
  );
}

/** exportAudit seals whatever is unsealed first: the auditor receives a log signed to its last entry. */
async function exportCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, { tenant: { type: 'string' }, out: { type: 'string' } }, 0);
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const outDir = requireString(values.out, '--out <dir>');
  const ctx = await openTenantContext(values, tenantId);
  try {
    const result = await exportAudit(ctx.deps.audit, tenantId, outDir, ctx.now());
    if (values.json) writeJson(result);
    else {
      write(
        `exported ${result.entries} entries and ${result.digests} signed digests of tenant ${tenantId} to ${outDir}`,
      );
      if (result.sealedHead) write(`sealed head: ${describeHead(result.sealedHead)}`);
      write(`verify offline: npx reversa audit verify ${outDir} --public-key ${outDir}/public-key.pem`);
      write(`or with openssl alone: see ${outDir}/README.txt`);
    }
    return 0;
  } finally {
    await ctx.close();
  }
}

async function verifyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    {
      'public-key': { type: 'string' },
      tenant: { type: 'string' },
      'sealed-head': { type: 'string' },
      seal: { type: 'boolean' },
    },
    1,
  );
  const expectedHeads = values['sealed-head'] ? [parseExpectedHead(values['sealed-head'])] : [];
  const keyPath = requireString(values['public-key'], '--public-key <pem>');
  let pem: string;
  try {
    pem = await readFile(keyPath, 'utf8');
  } catch {
    throw new ValidationError('UnreadableFile', [
      { file: keyPath, path: '', message: 'cannot read the public key file' },
    ]);
  }
  let result: AuditVerification;
  let what: string;
  if (values.tenant) {
    const ctx = await openContext(values);
    try {
      // The live log has an unsigned tail between seals; --seal signs it now, so it verifies sealed.
      if (values.seal) await sealDigest(ctx.deps.audit, values.tenant, ctx.now(), { force: true });
      result = await verifyLive(ctx.deps.audit, values.tenant, pem, { expectedHeads });
      what = `live audit log of tenant ${values.tenant}`;
    } finally {
      await ctx.close();
    }
  } else {
    const dir = requireString(positionals[0], '<dir> (or --tenant <id> for the live log)');
    result = await verifyAuditDir(dir, pem, { expectedHeads });
    what = dir;
  }
  if (values.json) writeJson(result);
  else {
    write(
      `${result.ok ? paint('green', 'OK') : paint('red', 'TAMPERED')} ${what}: ${result.entries} entries, ${result.digests} signed digests`,
    );
    write(`chain head: seq ${result.headSeq} sha256 ${result.headHash || '-'}`);
    if (result.sealedHead) write(`sealed head: ${describeHead(result.sealedHead)}`);
    if (result.unsealed > 0 && result.ok) {
      write(
        paint(
          'yellow',
          `warning: the last ${result.unsealed} entries are chained but not yet signed (sealed hourly or every 100 entries); --seal signs them now`,
        ),
      );
    }
    if (result.firstBad) write(paint('red', `first bad entry: seq ${result.firstBad.seq}: ${result.firstBad.reason}`));
    if (result.firstBadDigest)
      write(paint('red', `first bad digest: ${result.firstBadDigest.digestSeq}: ${result.firstBadDigest.reason}`));
    for (const p of result.problems.slice(0, 20)) write(`  ${p}`);
  }
  return result.ok ? 0 : 1;
}

function describeHead(h: { seq: number; entryHash: string; digestSeq: number; digestSha256: string }): string {
  return `entry ${h.seq} sha256 ${h.entryHash}, digest ${h.digestSeq} sha256 ${h.digestSha256}`;
}
