/**
 * The tamper suite: each alteration of a published dossier must be caught by verifyDossierZip.
 * Tampered archives are rebuilt with the stock `zip` binary (and Python's zipfile for entries
 * `zip` refuses to write), the way an attacker or a broken transfer would produce them.
 */

import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { verifyDossierZip } from '#core/dossier/bag/verify.ts';
import { stockCommand } from '#core/dossier/verify-commands.ts';
import { run, testSigner, type WrittenBag, writeSampleBag } from './support.ts';

function failed(verification: Awaited<ReturnType<typeof verifyDossierZip>>): string[] {
  return verification.checks.filter((c) => !c.ok).map((c) => c.name);
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

describe('verifyDossierZip on tampered dossiers', () => {
  let written: WrittenBag;
  let work: string;
  let bag: string;

  beforeEach(async () => {
    written = await writeSampleBag(testSigner(), { withSidecars: false });
    work = await mkdtemp(join(written.dir, 'tamper-'));
    run('unzip', ['-q', written.zipPath, '-d', work], written.dir);
    bag = join(work, written.result.bagName);
  });

  async function rezip(): Promise<string> {
    const out = join(written.dir, 'tampered.zip');
    await rm(out, { force: true });
    const zipped = run('zip', ['-q', '-r', '-X', out, written.result.bagName], work);
    expect(zipped.code, zipped.stderr).toBe(0);
    return out;
  }

  it('accepts the untouched archive once re-zipped by the stock zip tool', async () => {
    const verification = await verifyDossierZip(await rezip());

    expect(failed(verification)).toEqual([]);
  });

  it('catches a flipped byte in a payload file', async () => {
    const file = join(bag, 'data/inventory/assets.csv');
    const bytes = await readFile(file);
    bytes[3] = bytes[3]! ^ 0x01;
    await writeFile(file, bytes);

    const verification = await verifyDossierZip(await rezip());

    expect(verification.ok).toBe(false);
    expect(failed(verification)).toContain('payload hashes match');
    expect(run('sha256sum', ['-c', 'manifest-sha256.txt'], bag).code).not.toBe(0);
  });

  it('catches a file added under data/', async () => {
    await writeFile(join(bag, 'data/inventory/backdoor.txt'), 'not part of the signed dossier\n');

    const verification = await verifyDossierZip(await rezip());

    expect(verification.ok).toBe(false);
    expect(failed(verification)).toEqual(expect.arrayContaining(['no extra payload file', 'Payload-Oxum matches']));
  });

  it('catches a file removed from the archive', async () => {
    const out = join(written.dir, 'removed.zip');
    run('cp', [written.zipPath, out], written.dir);
    const deleted = run('zip', ['-q', '-d', out, `${written.result.bagName}/data/inventory/assets.json`], written.dir);
    expect(deleted.code, deleted.stderr).toBe(0);

    const verification = await verifyDossierZip(out);

    expect(verification.ok).toBe(false);
    expect(failed(verification)).toEqual(expect.arrayContaining(['no payload file missing', 'Payload-Oxum matches']));
  });

  it('catches a consistent rewrite of manifest and tag manifest, as openssl does', async () => {
    const file = join(bag, 'data/inventory/assets.csv');
    // Same size as the original, so only the signature can tell.
    const forged = Buffer.from('id,type,name\nsrv-1,server,evl\n');
    await writeFile(file, forged);
    const manifestPath = join(bag, 'manifest-sha256.txt');
    const manifest = (await readFile(manifestPath, 'utf8')).replace(
      /^[0-9a-f]{64}(?= {2}data\/inventory\/assets\.csv$)/m,
      sha256(forged),
    );
    await writeFile(manifestPath, manifest);
    const tagPath = join(bag, 'tagmanifest-sha256.txt');
    const tag = (await readFile(tagPath, 'utf8')).replace(
      /^[0-9a-f]{64}(?= {2}manifest-sha256\.txt$)/m,
      sha256(Buffer.from(manifest)),
    );
    await writeFile(tagPath, tag);
    // Old-style stock checks are fooled…
    expect(run('sha256sum', ['-c', 'manifest-sha256.txt'], bag).code).toBe(0);
    expect(run('sha256sum', ['-c', 'tagmanifest-sha256.txt'], bag).code).toBe(0);

    const verification = await verifyDossierZip(await rezip());
    const [openssl, ...args] = stockCommand('dossier.zip', 'signature').argv as [string, ...string[]];
    const signatureCheck = run(openssl, args, bag);

    // …the signature is not.
    expect(failed(verification)).toEqual(['signature valid']);
    expect(signatureCheck.code).not.toBe(0);
    expect(signatureCheck.stdout).toContain('Verification failure');
  });

  it('catches a tag file slipped in beside the signed ones', async () => {
    await appendFile(join(bag, 'NOTES.txt'), 'trust me\n');

    const verification = await verifyDossierZip(await rezip());

    expect(failed(verification)).toContain('tag manifest hashes match');
  });

  it('catches a re-signed archive when the expected fingerprint is given', async () => {
    const impostor = await writeSampleBag(testSigner(), { withSidecars: false });

    const verification = await verifyDossierZip(impostor.zipPath, {
      expectedFingerprint: written.result.signerFingerprint,
    });

    expect(failed(verification)).toEqual(['signer key fingerprint']);
  });

  it('catches an archive whose sidecar checksum no longer matches', async () => {
    const out = await rezip();
    await writeFile(`${out}.sha256`, `${'0'.repeat(64)}  tampered.zip\n`);

    const verification = await verifyDossierZip(out);

    expect(failed(verification)).toEqual(['sidecar checksum']);
  });
});

describe('verifyDossierZip on hostile archives', () => {
  async function pythonZip(script: string): Promise<string> {
    const dir = await mkdtemp(join((await import('node:os')).tmpdir(), 'reversa-hostile-'));
    const out = join(dir, 'hostile.zip');
    const made = run(
      'python3',
      ['-c', `import zipfile, sys\nz = zipfile.ZipFile(sys.argv[1], 'w')\n${script}\nz.close()`, out],
      dir,
    );
    expect(made.code, made.stderr).toBe(0);
    return out;
  }

  it('refuses an entry that climbs out of the extraction folder', async () => {
    const zip = await pythonZip("z.writestr('bag/bagit.txt', 'x')\nz.writestr('bag/../../evil.sh', 'rm -rf /')");

    const verification = await verifyDossierZip(zip);

    expect(verification.ok).toBe(false);
    expect(verification.checks[0]).toMatchObject({ name: 'zip readable', ok: false });
  });

  it('refuses a symlink entry', async () => {
    const zip = await pythonZip(
      "i = zipfile.ZipInfo('bag/data/link')\ni.create_system = 3\ni.external_attr = (0o120777 << 16)\nz.writestr(i, '/etc/passwd')",
    );

    const verification = await verifyDossierZip(zip);

    expect(verification.checks.find((c) => c.name === 'zip safe to extract')).toMatchObject({ ok: false });
  });

  it('refuses an entry that expands beyond a plausible ratio (zip bomb)', async () => {
    const zip = await pythonZip(
      "z.writestr('bag/data/zeros', b'\\0' * (64 * 1024 * 1024), compress_type=zipfile.ZIP_DEFLATED)",
    );

    const verification = await verifyDossierZip(zip);

    const check = verification.checks.find((c) => c.name === 'zip safe to extract');
    expect(check).toMatchObject({ ok: false });
    expect(check?.detail).toContain('zip bomb');
  });

  it('refuses more entries than the limit', async () => {
    const zip = await pythonZip("for i in range(20): z.writestr(f'bag/data/{i}', 'x')");

    const verification = await verifyDossierZip(zip, { maxEntries: 10 });

    expect(verification.checks).toEqual([expect.objectContaining({ name: 'zip readable', ok: false })]);
  });

  it('reports an unreadable file as a failed check, not a crash', async () => {
    const dir = await mkdtemp(join((await import('node:os')).tmpdir(), 'reversa-hostile-'));
    await writeFile(join(dir, 'junk.zip'), 'this is not a zip');

    const verification = await verifyDossierZip(join(dir, 'junk.zip'));

    expect(verification).toMatchObject({ ok: false, checks: [{ name: 'zip readable', ok: false }] });
  });
});
