/**
 * Digest signer on a KMS asymmetric key (ECC_NIST_P256, SIGN_VERIFY). KMS Sign takes at most
 * 4,096 bytes of message, so the SHA-256 is computed here and sent with MessageType DIGEST; the
 * signature KMS returns for ECDSA_SHA_256 is DER, byte-compatible with the local FileSigner and
 * with `openssl dgst -sha256 -verify`. The public key (DER SPKI from GetPublicKey) is fetched
 * once and cached: an asymmetric KMS key never rotates its key material.
 */
import { createHash } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import type { Signer } from '#core/audit/ports.ts';
import { InternalError } from '#core/errors.ts';

export interface KmsSignerOptions {
  /** Key id, ARN or alias of the signing key. */
  keyId: string;
  client?: KMSClient;
}

function derToPem(der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`;
}

export class KmsSigner implements Signer {
  private readonly kms: KMSClient;
  private readonly keyId: string;
  private pem: Promise<string> | undefined;

  constructor(options: KmsSignerOptions) {
    this.kms = options.client ?? new KMSClient({});
    this.keyId = options.keyId;
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    const digest = createHash('sha256').update(message).digest();
    const out = await this.kms.send(
      new SignCommand({
        KeyId: this.keyId,
        Message: digest,
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    if (!out.Signature) throw new InternalError('KmsNoSignature', 'KMS Sign returned no signature');
    return out.Signature;
  }

  publicKeyPem(): Promise<string> {
    this.pem ??= this.fetchPublicKey().catch((error: unknown) => {
      this.pem = undefined; // a transient failure must not be cached
      throw error;
    });
    return this.pem;
  }

  private async fetchPublicKey(): Promise<string> {
    const out = await this.kms.send(new GetPublicKeyCommand({ KeyId: this.keyId }));
    if (!out.PublicKey) throw new InternalError('KmsNoPublicKey', 'KMS GetPublicKey returned no key');
    return derToPem(out.PublicKey);
  }
}
