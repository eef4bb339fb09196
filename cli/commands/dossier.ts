import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { verifyDossierZip } from '#core/dossier/bag/verify.ts';
import { bagNameOf, commandLine, successorVerifyCommands } from '#core/dossier/verify-commands.ts';
import { NotFoundError } from '#core/errors.ts';
import { approveRecipientOverride, type RecipientOverride, requestExport } from '#core/use-cases/dossier-export.ts';
import { createDossierLink, MAX_LINK_SECONDS, publishedKeys } from '#core/use-cases/dossier-link.ts';
import { parseCommand, requireString, usageError } from '../args.ts';
import { download, parseSha256Sidecar } from '../download.ts';
import { paint, write, writeError, writeJson } from '../output.ts';
import { openTenantContext } from '../tenant.ts';

const SUBCOMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  export: exportCommand,
  link,
  verify,
  download: downloadCommand,
  'approve-recipients': (argv) => approveRecipients(argv),
};

function listOf(values: string | string[] | undefined): string[] {
  const all = values === undefined ? [] : Array.isArray(values) ? values : [values];
  return all
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/**
 * Assembles, signs and publishes a new dossier version through the reversibility-export workflow;
 * with --out, also downloads the archive and its sidecars and prints the stock commands that verify it.
 */
async function exportCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand(
    argv,
    {
      tenant: { type: 'string' },
      recipient: { type: 'string', multiple: true },
      'break-glass': { type: 'string' },
      custodian: { type: 'string', multiple: true },
      threshold: { type: 'string' },
      out: { type: 'string' },
      'embed-data': { type: 'boolean' },
      approval: { type: 'string' },
    },
    0,
  );
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const recipients = listOf(values.recipient as string[] | undefined);
  const custodians = listOf(values.custodian as string[] | undefined);
  const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
  if (custodians.length > 0 && (threshold === undefined || !Number.isInteger(threshold))) {
    throw usageError('--custodian needs --threshold <k> (how many custodians must combine their shares)');
  }
  const override = overrideOf(recipients, values['break-glass'], custodians, threshold);
  if (override && values.approval === undefined) {
    throw usageError(
      '--recipient, --break-glass and --custodian override the strategy: they need --approval <seq> (reversa dossier approve-recipients, by someone else)',
    );
  }
  const approvalSeq = values.approval === undefined ? undefined : Number(values.approval);
  if (approvalSeq !== undefined && (!Number.isInteger(approvalSeq) || approvalSeq < 1)) {
    throw usageError('--approval expects the audit-log seq printed by dossier approve-recipients');
  }
  const ctx = await openTenantContext(values, tenantId);
  try {
    // Who asks is the acting principal, recorded with the request; the workflow input names only the tenant.
    const { input } = await requestExport(ctx.dossierDeps(), {
      tenantId,
      requestedBy: await ctx.actor(),
      now: ctx.now(),
      ...(override && approvalSeq !== undefined ? { override: { ...override, approvalSeq } } : {}),
      ...(values['embed-data'] ? { embedData: true } : {}),
    });
    const run = await ctx.runExport(input);
    if (run.status !== 'SUCCEEDED') {
      if (values.json) writeJson({ tenantId, execution: run });
      else writeError(`export ${run.status}: ${run.error ?? ''} ${run.cause ?? ''}\nnothing was published`);
      return run.error === 'ValidationError' ? 2 : 3;
    }
    const version = await ctx.dossierDeps().dossiers.getLatest(tenantId);
    if (!version)
      throw new NotFoundError('DossierNotPublished', `the export of tenant '${tenantId}' published no version`);
    const downloaded: string[] = [];
    if (values.out) {
      await mkdir(values.out, { recursive: true });
      for (const key of publishedKeys(version.zipKey)) {
        const file = join(values.out, basename(key));
        await pipeline(await ctx.dossierDeps().dossierObjects.open(key), createWriteStream(file));
        downloaded.push(file);
      }
    }
    if (values.json) writeJson({ tenantId, execution: run, version, downloaded });
    else {
      write(`published dossier v${version.version} of tenant ${tenantId}: ${version.changeSummary}`);
      write(`archive  ${ctx.describeDossier(version.zipKey)} (${version.zipBytes} bytes)`);
      write(`sha256   ${version.zipSha256}`);
      write(`signer   ${version.signerFingerprint} (give this fingerprint to the successor out of band)`);
      if (values.out) {
        const zip = basename(version.zipKey);
        write(`\nDownloaded to ${values.out}. Verify with stock tools only:`);
        write(`  cd ${values.out}`);
        let inBag = false;
        for (const command of successorVerifyCommands(zip)) {
          if (command.cwd === 'bag' && !inBag) {
            write(`  cd ${bagNameOf(zip)}`);
            inBag = true;
          }
          const note = command.pipeTo ? '   # = the signer fingerprint above' : '';
          write(`  ${commandLine(command)}${note}`);
        }
        write(`or: npx reversa dossier verify ${join(values.out, zip)} --fingerprint ${version.signerFingerprint}`);
      }
    }
    return 0;
  } finally {
    await ctx.close();
  }
}

/** A presigned GET (at most 7 days: S3's limit) for one published version, recorded in the audit log. */
async function link(argv: string[]): Promise<number> {
  const { values } = parseCommand(
    argv,
    { tenant: { type: 'string' }, version: { type: 'string' }, expires: { type: 'string' } },
    0,
  );
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const expiresText = values.expires ?? '72h';
  const m = /^([1-9][0-9]*)(m|h|d)$/.exec(expiresText);
  const seconds = m ? Number(m[1]) * { m: 60, h: 3600, d: 86400 }[m[2] as 'm' | 'h' | 'd'] : Number.NaN;
  if (!(seconds > 0) || seconds > MAX_LINK_SECONDS)
    throw usageError(`--expires expects a duration up to 7d like 72h or 3d, got '${expiresText}'`);
  const ctx = await openTenantContext(values, tenantId);
  try {
    const link = await createDossierLink(
      { ...ctx.dossierDeps(), presign: (key, s) => ctx.presignDossier(key, s) },
      {
        tenantId,
        ...(values.version === undefined ? {} : { version: Number(values.version) }),
        expiresInSeconds: seconds,
        issuedBy: await ctx.actor(),
        now: ctx.now(),
      },
    );
    const { auditSeq: _seq, zipBytes: _bytes, ...printed } = link;
    if (values.json) writeJson(printed);
    else {
      write(
        `dossier v${link.version} of tenant ${tenantId}, link valid until ${link.expiresAt} (logged in the audit log):`,
      );
      write(`  ${link.zipUrl}`);
      write(`sha256 ${link.zipSha256}; download and check with:`);
      write(
        `  npx reversa dossier download '${link.zipUrl}' -o ${basename(new URL(link.zipUrl).pathname)} --sha256 ${link.zipSha256}`,
      );
    }
    return 0;
  } finally {
    await ctx.close();
  }
}

export async function dossierCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const run = sub ? SUBCOMMANDS[sub] : undefined;
  if (!run) throw usageError(`'reversa dossier' needs a subcommand: ${Object.keys(SUBCOMMANDS).join(', ')}`);
  return run(rest);
}

/** Every check the stock commands do, plus BagIt completeness; one line per check. */
async function verify(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { fingerprint: { type: 'string' } }, 1);
  const zip = requireString(positionals[0], '<zip>');
  const result = await verifyDossierZip(zip, values.fingerprint ? { expectedFingerprint: values.fingerprint } : {});
  if (values.json) writeJson(result);
  else {
    for (const c of result.checks) {
      const mark = !c.ok ? paint('red', 'FAIL') : c.warning ? paint('yellow', 'WARN') : paint('green', ' ok ');
      write(`${mark}  ${c.name}: ${c.detail}`);
    }
    write(
      result.ok ? paint('green', `\n${zip}: dossier verified`) : paint('red', `\n${zip}: dossier FAILED verification`),
    );
    if (result.signerFingerprint) write(`signer key fingerprint: ${result.signerFingerprint}`);
  }
  return result.ok ? 0 : 1;
}

/** Resumable download with a progress bar, checked against the size and the SHA-256. */
async function downloadCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    { output: { type: 'string', short: 'o' }, sha256: { type: 'string' } },
    1,
  );
  const source = requireString(positionals[0], '<url|s3-uri>');
  const out = values.output ?? basename(source.split('?')[0] ?? 'dossier.zip');
  let expected = values.sha256;
  if (!expected && source.startsWith('s3://')) {
    // The published sidecar sits next to the archive: use it when the caller gave no digest.
    const sidecar = `${out}.sha256.download`;
    try {
      await download(`${source}.sha256`, sidecar);
      expected = parseSha256Sidecar(await readFile(sidecar, 'utf8'));
    } catch {
      expected = undefined;
    }
  }
  const tty = process.stderr.isTTY === true && !values.json;
  let last = 0;
  const started = Date.now();
  const result = await download(source, out, {
    ...(expected ? { expectedSha256: expected } : {}),
    onProgress: (done, total) => {
      if (!tty || Date.now() - last < 100) return;
      last = Date.now();
      const pct = total > 0 ? done / total : 0;
      const bar = '#'.repeat(Math.round(pct * 30)).padEnd(30, '.');
      const mbps = done / 1e6 / Math.max(0.001, (Date.now() - started) / 1000);
      process.stderr.write(
        `\r[${bar}] ${(pct * 100).toFixed(0).padStart(3)}% ${(done / 1e6).toFixed(1)}/${(total / 1e6).toFixed(1)} MB ${mbps.toFixed(1)} MB/s`,
      );
    },
  });
  if (tty) process.stderr.write('\n');
  if (values.json) writeJson({ ...result, checkedAgainst: expected ?? null });
  else {
    write(
      `downloaded ${result.path}: ${result.bytes} bytes${result.resumedFrom ? ` (resumed at ${result.resumedFrom})` : ''}, sha256 ${result.sha256}`,
    );
    if (expected) write('SHA-256 matches the published checksum');
    else
      writeError('no checksum to compare with: pass --sha256 <hex> from the provider, then run reversa dossier verify');
  }
  return 0;
}

function overrideOf(
  recipients: string[],
  breakGlass: string | undefined,
  custodians: string[],
  threshold: number | undefined,
): RecipientOverride | undefined {
  if (recipients.length === 0 && breakGlass === undefined && custodians.length === 0) return undefined;
  if (recipients.length === 0) throw usageError('an override names at least one --recipient');
  return {
    recipients,
    ...(breakGlass === undefined ? {} : { breakGlass }),
    ...(custodians.length > 0 && threshold !== undefined ? { custodians: { recipients: custodians, threshold } } : {}),
  };
}

/**
 * `dossier approve-recipients`: the second person's approval of sealing the next export's secrets to
 * other recipients than the strategy's, recorded in the audit log; the requester cites its seq.
 */
async function approveRecipients(argv: string[]): Promise<number> {
  const { values } = parseCommand(
    argv,
    {
      tenant: { type: 'string' },
      recipient: { type: 'string', multiple: true },
      'break-glass': { type: 'string' },
      custodian: { type: 'string', multiple: true },
      threshold: { type: 'string' },
      expires: { type: 'string' },
    },
    0,
  );
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
  const override = overrideOf(
    listOf(values.recipient as string[] | undefined),
    values['break-glass'],
    listOf(values.custodian as string[] | undefined),
    threshold,
  );
  if (!override) throw usageError('name the recipients to approve with --recipient age1…');
  const m = /^([1-9][0-9]{0,3})(h|d)$/.exec(values.expires ?? '24h');
  if (!m) throw usageError(`--expires expects a duration like 24h or 2d, got '${values.expires}'`);
  const validForMs = Number(m[1]) * (m[2] === 'h' ? 3_600_000 : 86_400_000);
  const ctx = await openTenantContext(values, tenantId);
  try {
    const approved = await approveRecipientOverride(ctx.deps, {
      tenantId,
      override,
      approvedBy: await ctx.actor(),
      now: ctx.now(),
      validForMs,
    });
    if (values.json) writeJson(approved);
    else
      write(
        `approved (audit entry ${approved.approvalSeq}, until ${approved.expiresAt}); the requester runs: reversa dossier export --tenant ${tenantId} --recipient … --approval ${approved.approvalSeq}`,
      );
    return 0;
  } finally {
    await ctx.close();
  }
}
