/**
 * KmsSigner against a mocked KMS whose answers come from a real P-256 key: the request shape is
 * asserted (DIGEST mode, ECDSA_SHA_256, the locally computed SHA-256), and the DER signature it
 * passes through is checked by the real openssl binary, like a KMS one would be.
 */

import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { KmsSigner } from '#adapters/aws/kms-signer.ts';
import { tempDir } from './support.ts';

const kms = mockClient(KMSClient);
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const message = Buffer.from('{"digestSeq":1,"tenantId":"acme"}', 'utf8');

beforeEach(() => {
  kms.reset();
  // KMS signs the digest it is given; the real message is what that digest was computed from.
  kms.on(SignCommand).resolves({ Signature: sign('sha256', message, privateKey), SigningAlgorithm: 'ECDSA_SHA_256' });
  kms.on(GetPublicKeyCommand).resolves({ PublicKey: publicKey.export({ type: 'spki', format: 'der' }) });
});

describe('KmsSigner', () => {
  it('sends the SHA-256 of the message in DIGEST mode with ECDSA_SHA_256', async () => {
    const signer = new KmsSigner({ keyId: 'alias/reversa-audit', client: new KMSClient({ region: 'eu-west-3' }) });

    await signer.sign(message);

    const input = kms.commandCalls(SignCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      KeyId: 'alias/reversa-audit',
      MessageType: 'DIGEST',
      SigningAlgorithm: 'ECDSA_SHA_256',
    });
    expect(Buffer.from(input?.Message ?? []).equals(createHash('sha256').update(message).digest())).toBe(true);
  });

  it('returns a DER signature and a PEM key that openssl dgst -verify accepts', async () => {
    const signer = new KmsSigner({ keyId: 'k', client: new KMSClient({ region: 'eu-west-3' }) });
    const dir = await tempDir('kms');
    await writeFile(join(dir, 'digest.json'), message);
    await writeFile(join(dir, 'digest.json.sig'), await signer.sign(message));
    await writeFile(join(dir, 'pub.pem'), await signer.publicKeyPem());

    const out = execFileSync(
      'openssl',
      ['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'digest.json.sig', 'digest.json'],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('Verified OK');
  });

  it('asks KMS for the public key once', async () => {
    const signer = new KmsSigner({ keyId: 'k', client: new KMSClient({ region: 'eu-west-3' }) });

    await Promise.all([signer.publicKeyPem(), signer.publicKeyPem()]);
    await signer.publicKeyPem();

    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
  });
});
