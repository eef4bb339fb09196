/** Public-key facts shared by the sealer and the verifier. Parsing a PEM is pure (no I/O). */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { ValidationError } from '../errors.ts';
import { sha256Hex } from './hash.ts';

export function publicKeyFromPem(pem: string, file = '<public key>'): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new ValidationError('BadPublicKey', [{ file, path: '', message: 'expected a PEM public key' }], {
      cause: error,
    });
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new ValidationError('BadPublicKey', [{ file, path: '', message: 'expected an ECDSA P-256 public key' }]);
  }
  return key;
}

/** Hex SHA-256 of the DER SubjectPublicKeyInfo: `openssl pkey -pubin -in pub.pem -outform DER | sha256sum`. */
export function keyFingerprint(key: KeyObject): string {
  return sha256Hex(key.export({ type: 'spki', format: 'der' }));
}
