/**
 * A secret's bytes, held in memory only. The wrapper exists so that a secret cannot leak by
 * accident: string conversion, JSON, util.inspect (and so loggers and test reporters) all see
 * `[secret]`. Reading the bytes is an explicit act (`use`, `bytes`), and `wipe` zeroes them when
 * the caller is done, so plaintext does not linger in the heap until the next GC.
 *
 * Why a class with a #private field: private fields are invisible to Object.keys, JSON,
 * structuredClone and inspect, so even a generic object dumper finds nothing.
 */
import { InternalError } from '../errors.ts';

export const REDACTED = '[secret]';

const inspectCustom = Symbol.for('nodejs.util.inspect.custom');

export class SecretValue {
  #bytes: Uint8Array;
  #wiped = false;

  private constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /**
   * Wraps `bytes` without copying: the SecretValue now owns them and `wipe()` zeroes them.
   * The caller must not keep another reference it expects to stay intact.
   */
  static adopt(bytes: Uint8Array): SecretValue {
    return new SecretValue(bytes);
  }

  /** Wraps a private copy of `bytes` (the caller keeps, and should wipe, its own). */
  static copyOf(bytes: Uint8Array): SecretValue {
    const own = new Uint8Array(bytes.byteLength);
    own.set(bytes);
    return new SecretValue(own);
  }

  /** Encodes `text` as UTF-8. The string itself cannot be wiped (JS strings are immutable): prefer bytes. */
  static fromUtf8(text: string): SecretValue {
    return new SecretValue(new TextEncoder().encode(text));
  }

  get byteLength(): number {
    return this.#live().byteLength;
  }

  get wiped(): boolean {
    return this.#wiped;
  }

  /** Lends the live bytes to `fn`, without copying. `fn` must not keep them past its return. */
  use<T>(fn: (bytes: Uint8Array) => T): T {
    return fn(this.#live());
  }

  /** A copy of the bytes that the caller owns and should `fill(0)` when done. */
  bytes(): Uint8Array {
    const copy = new Uint8Array(this.#live().byteLength);
    copy.set(this.#bytes);
    return copy;
  }

  /** Overwrites the bytes with zeros; the value is unusable afterwards. Idempotent. */
  wipe(): void {
    this.#bytes.fill(0);
    this.#bytes = new Uint8Array(0);
    this.#wiped = true;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspectCustom](): string {
    return REDACTED;
  }

  #live(): Uint8Array {
    if (this.#wiped) throw new InternalError('SecretWiped', 'the secret value was already wiped');
    return this.#bytes;
  }
}
