import { describe, expect, it } from 'vitest';
import { runStockCommands } from '#adapters/host/stock-tools.ts';
import { verifyDossierZip } from '#core/dossier/bag/verify.ts';
import { commandLine, successorVerifyCommands } from '#core/dossier/verify-commands.ts';
import { run, sh, testSigner, writeSampleBag } from './support.ts';

describe('a dossier bag checked with stock tools only', () => {
  it('passes unzip, sha256sum -c on both manifests, openssl signature and fingerprint, and the sidecar checksum', async () => {
    const signer = testSigner();
    const { dir, result } = await writeSampleBag(signer);
    const bag = `${dir}/${result.bagName}`;

    const zip = `${result.bagName}.zip`;
    const [sidecar, unzip, manifest, tagManifest, signature, fingerprint] = await runStockCommands(
      successorVerifyCommands(zip),
      dir,
      zip,
    );
    const sidecarSignature = run(
      'openssl',
      [
        'dgst',
        '-sha256',
        '-verify',
        `${bag}/signer-public-key.pem`,
        '-signature',
        `${result.bagName}.zip.sha256.sig`,
        `${result.bagName}.zip.sha256`,
      ],
      dir,
    );
    const oxum = sh(`find data -type f -printf '%s\\n' | awk '{s+=$1} END {print s"."NR}'`, bag);

    expect(sidecar).toMatchObject({ code: 0 });
    expect(unzip).toMatchObject({ code: 0 });
    expect(manifest?.code, manifest?.output).toBe(0);
    expect(manifest?.stdout.trim().split('\n')).toHaveLength(6);
    expect(tagManifest?.code, tagManifest?.output).toBe(0);
    expect(signature?.stdout.trim()).toBe('Verified OK');
    expect(sidecarSignature.stdout.trim()).toBe('Verified OK');
    expect(fingerprint?.stdout.split(' ')[0]).toBe(result.signerFingerprint);
    expect(`${oxum.stdout.trim()}`).toBe(result.payloadOxum);
    const sha256 = run('sha256sum', [`${result.bagName}.zip`], dir).stdout.split(' ')[0];
    expect(sha256).toBe(result.zipSha256);
  });

  it('passes every verifyDossierZip check, including the fingerprint the provider published', async () => {
    const signer = testSigner();
    const { zipPath, result } = await writeSampleBag(signer);

    const verification = await verifyDossierZip(zipPath, {
      expectedFingerprint: result.signerFingerprint.toUpperCase(),
    });

    expect(verification.checks.filter((c) => !c.ok)).toEqual([]);
    expect(verification.ok).toBe(true);
    expect(verification.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['signature valid', 'signer key fingerprint', 'sidecar checksum', 'sidecar signature']),
    );
  });

  it('fails the fingerprint check when the embedded key is not the published one', async () => {
    const { zipPath } = await writeSampleBag(testSigner());

    const verification = await verifyDossierZip(zipPath, { expectedFingerprint: 'ab'.repeat(32) });

    expect(verification.ok).toBe(false);
    expect(verification.checks.find((c) => c.name === 'signer key fingerprint')).toMatchObject({ ok: false });
  });

  it('warns that the key is self-asserted when no fingerprint is given, without failing', async () => {
    const { zipPath } = await writeSampleBag(testSigner());

    const verification = await verifyDossierZip(zipPath);

    expect(verification.ok).toBe(true);
    const check = verification.checks.find((c) => c.name === 'signer key fingerprint');
    expect(check).toMatchObject({ ok: true, warning: true });
    expect(check?.detail).toContain('self-asserted');
  });

  it('prints in README-VERIFY.md the exact commands the tests ran', async () => {
    const { dir, result } = await writeSampleBag(testSigner());
    run('unzip', ['-q', `${result.bagName}.zip`], dir);

    const readme = run('cat', ['README-VERIFY.md'], `${dir}/${result.bagName}`).stdout;

    expect(readme).toContain(`unzip -q ${result.bagName}.zip`);
    expect(readme).toContain(`cd ${result.bagName}`);
    expect(readme).toContain('sha256sum -c manifest-sha256.txt');
    expect(readme).toContain('sha256sum -c tagmanifest-sha256.txt');
    expect(readme).toContain(
      'openssl dgst -sha256 -verify signer-public-key.pem -signature tagmanifest-sha256.txt.sig tagmanifest-sha256.txt',
    );
    expect(readme).toContain('openssl pkey -pubin -in signer-public-key.pem -outform DER | sha256sum');
    for (const command of successorVerifyCommands(`${result.bagName}.zip`))
      expect(readme).toContain(commandLine(command));
  });
});
