/**
 * KmsSigner against moto's KMS, on a key created with the stateful stack's own KeySpec, KeyUsage and key
 * policy (ECC_NIST_P256, SIGN_VERIFY): the Sign request it sends (a SHA-256 digest, MessageType DIGEST) and the
 * DER signature and SPKI public key it gets back are checked by the real `openssl dgst -sha256 -verify`, the
 * command the README gives successors and auditors.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateAliasCommand, DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import { KmsSigner } from '#adapters/aws/kms-signer.ts';
import { createKeyAsCloudFormation, keyPropertiesByAlias } from './stateful-template.ts';
import { recordCommands, uniqueName } from './support.ts';

const run = promisify(execFile);

/** `openssl dgst -sha256 -verify`: true on "Verified OK", false on "Verification failure". */
async function opensslVerifies(publicKeyPem: string, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'reversa-kms-'));
  await writeFile(join(dir, 'key.pem'), publicKeyPem);
  await writeFile(join(dir, 'message'), message);
  await writeFile(join(dir, 'message.sig'), signature);
  try {
    const { stdout } = await run('openssl', [
      'dgst',
      '-sha256',
      '-verify',
      join(dir, 'key.pem'),
      '-signature',
      join(dir, 'message.sig'),
      join(dir, 'message'),
    ]);
    return stdout.trim() === 'Verified OK';
  } catch (error) {
    if ((error as { stdout?: string }).stdout?.includes('Verification failure')) return false;
    throw error;
  }
}

let keyId: string;
beforeAll(async () => {
  keyId = await createKeyAsCloudFormation(new KMSClient({}), keyPropertiesByAlias('alias/reversa-audit-signing'));
});

describe('KmsSigner on moto', () => {
  it('uses the stack key as declared: ECC_NIST_P256 for SIGN_VERIFY with ECDSA_SHA_256', async () => {
    const key = await new KMSClient({}).send(new DescribeKeyCommand({ KeyId: keyId }));

    expect(key.KeyMetadata).toMatchObject({
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      SigningAlgorithms: ['ECDSA_SHA_256'],
    });
  });

  it('signs the SHA-256 of a message with MessageType DIGEST, and openssl verifies the message with GetPublicKey', async () => {
    const client = new KMSClient({});
    const sent = recordCommands(client);
    const signer = new KmsSigner({ keyId, client });
    // Larger than KMS's 4,096-byte message limit: only its digest travels.
    const message = Buffer.from(`${'digest body '.repeat(500)}end`, 'utf8');

    const signature = await signer.sign(message);
    const pem = await signer.publicKeyPem();

    expect(await opensslVerifies(pem, message, signature)).toBe(true);
    expect(await opensslVerifies(pem, Buffer.concat([message, Buffer.from('!')]), signature)).toBe(false);
    const sign = sent.find((c) => c.command === 'SignCommand');
    expect(sign?.input).toMatchObject({ KeyId: keyId, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' });
    expect(Buffer.from(sign?.input.Message as Uint8Array)).toEqual(createHash('sha256').update(message).digest());
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PUBLIC KEY-----\n$/);
  });

  it('signs through the alias the stack gives the key, and fetches the public key once', async () => {
    const client = new KMSClient({});
    const alias = `alias/${uniqueName('reversa-audit-signing')}`;
    await client.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
    const sent = recordCommands(client);
    const signer = new KmsSigner({ keyId: alias, client });

    const [first, second] = await Promise.all([signer.publicKeyPem(), signer.publicKeyPem()]);
    const signature = await signer.sign(Buffer.from('sealed digest'));

    expect(first).toBe(second);
    expect(await opensslVerifies(first, Buffer.from('sealed digest'), signature)).toBe(true);
    expect(sent.filter((c) => c.command === 'GetPublicKeyCommand')).toHaveLength(1);
  });
});
