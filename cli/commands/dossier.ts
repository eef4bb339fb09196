import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { verifyDossierZip } from '#core/dossier/bag/verify.ts';
import { parseCommand, requireString, usageError } from '../args.ts';
import { download, parseSha256Sidecar } from '../download.ts';
import { paint, write, writeError, writeJson } from '../output.ts';

const SUBCOMMANDS: Record<string, (argv: string[]) => Promise<number>> = { verify, download: downloadCommand };

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
