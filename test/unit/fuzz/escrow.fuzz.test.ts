/**
 * Fuzzing the escrow's text inputs: escrow-manifest.json and the decrypted custody share. Both reach
 * openEscrow from a dossier of unknown provenance; share texts carry key material, so besides
 * "typed error or a correct parse" every property checks that no error ever repeats the share's payload.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ESCROW_FILES,
  ESCROW_FORMAT,
  type EscrowManifest,
  parseEscrowManifest,
} from '#core/dossier/escrow/manifest.ts';
import { type EscrowShare, encodeShare, parseShare, SHARE_MAGIC } from '#core/dossier/escrow/share-format.ts';
import { ValidationError } from '#core/errors.ts';
import { ageKeygen } from '../dossier/escrow/escrow-fixture.ts';
import { byteMutation, mutateBytes } from './support.ts';

let recipient = '';
let validManifest: EscrowManifest;

beforeAll(() => {
  const key = ageKeygen();
  recipient = key.recipient;
  key.cleanup();
  validManifest = {
    format: ESCROW_FORMAT,
    tenantId: 'acme',
    sealedAt: '2026-03-01T10:00:00.000Z',
    bundle: {
      file: ESCROW_FILES.secrets,
      encryption: 'age v1, X25519 recipients, binary',
      content: 'POSIX tar: index.json + secrets/<percent-encoded name>',
      bytes: 1234,
      sha256: 'ab'.repeat(32),
    },
    secrets: [{ name: 'db/password', path: 'secrets/db%2Fpassword', lastChangedAt: '2026-01-01T00:00:00.000Z' }],
    recipients: [
      {
        role: 'custodian',
        recipient,
        fingerprint: 'SHA256:00',
        opensSecretsDirectly: false,
        shareFile: 'shares/share-1-of-3.age',
      },
    ],
    custody: {
      threshold: 2,
      shares: 3,
      escrowRecipient: recipient,
      escrowPublicFile: ESCROW_FILES.escrowPublic,
      scheme: 'shamir-secret-sharing (npm, GF(2^8)) over the UTF-8 escrow identity',
    },
  };
});

// ---- escrow-manifest.json ------------------------------------------------------------------------

/** Parses, or throws a ValidationError about escrow-manifest.json; anything else fails the property. */
function manifestOrProblem(bytes: Uint8Array): EscrowManifest | ValidationError {
  try {
    return parseEscrowManifest(bytes);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    expect(error.code).toBe('EscrowManifestInvalid');
    for (const p of error.problems) expect(p.file).toBe(ESCROW_FILES.manifest);
    return error;
  }
}

/** JSON values including the shapes that break naive coercion (own toString/valueOf, __proto__). */
const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(
    fc.constantFrom('toString', 'valueOf', '__proto__', 'constructor', 'length'),
    fc.jsonValue({ maxDepth: 1 }),
    {
      minKeys: 1,
    },
  ),
);

/** Replaces the value at a random path of a JSON document (following existing keys and indices). */
function replaceAt(doc: unknown, steps: readonly number[], replacement: unknown): unknown {
  if (steps.length === 0 || typeof doc !== 'object' || doc === null) return replacement;
  const [step, ...rest] = steps as [number, ...number[]];
  if (Array.isArray(doc)) {
    if (doc.length === 0) return replacement;
    const copy = [...doc];
    copy[step % doc.length] = replaceAt(doc[step % doc.length], rest, replacement);
    return copy;
  }
  const keys = Object.keys(doc);
  if (keys.length === 0) return replacement;
  const key = keys[step % keys.length]!;
  return {
    ...(doc as Record<string, unknown>),
    [key]: replaceAt((doc as Record<string, unknown>)[key], rest, replacement),
  };
}

const MARKER = 'MARKER-6f1c2b-SHOULD-NOT-BE-ECHOED';

describe('parseEscrowManifest under fuzzing', () => {
  it('accepts the manifest seal writes (so the failures below are the mutations’ doing)', () => {
    expect(parseEscrowManifest(Buffer.from(JSON.stringify(validManifest)))).toEqual(validManifest);
  });

  it('fails only with a ValidationError on random bytes and random JSON', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }),
          hostileJson.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
        ),
        (bytes) => {
          manifestOrProblem(bytes);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fails only with a ValidationError, never echoing the value, when any field is replaced', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        fc.oneof(hostileJson, fc.constant(MARKER), fc.constant({ toString: MARKER, valueOf: MARKER })),
        (steps, replacement) => {
          const doc = replaceAt(validManifest, steps, replacement);
          const outcome = manifestOrProblem(Buffer.from(JSON.stringify(doc)));
          if (outcome instanceof ValidationError) expect(outcome.message).not.toContain(MARKER);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('fails only with a ValidationError on byte-level corruption of the manifest', () => {
    fc.assert(
      fc.property(fc.array(byteMutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        manifestOrProblem(mutateBytes(Buffer.from(JSON.stringify(validManifest, null, 2)), mutations));
      }),
      { numRuns: 300 },
    );
  });
});

// ---- custody share text --------------------------------------------------------------------------

const SOURCE = 'share 2';

const shareArb = fc
  .record({
    count: fc.integer({ min: 2, max: 255 }),
    index: fc.nat(),
    threshold: fc.nat(),
    data: fc.uint8Array({ minLength: 16, maxLength: 96 }),
    tenantId: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
  })
  .map(
    ({ count, index, threshold, data, tenantId }): Omit<EscrowShare, 'escrowRecipient'> => ({
      tenantId,
      index: 1 + (index % count),
      count,
      threshold: 2 + (threshold % (count - 1)),
      data,
    }),
  );

/** Every 12-character window of the payload: an error quoting even part of the share fails. */
function payloadWindows(share: EscrowShare): string[] {
  const b64 = Buffer.from(share.data).toString('base64');
  const windows: string[] = [];
  for (let i = 0; i + 12 <= b64.length; i += 4) windows.push(b64.slice(i, i + 12));
  return windows;
}

/** Parses, or throws a ValidationError naming only the source; either way, never leaking the payload. */
function shareOrProblem(bytes: Uint8Array, original: EscrowShare): EscrowShare | ValidationError {
  try {
    return parseShare(bytes, SOURCE);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    expect(error.code).toBe('EscrowShareInvalid');
    for (const p of error.problems) expect(p.file).toBe(SOURCE);
    const told = `${error.message}\n${JSON.stringify(error.problems)}\n${String(error.stack)}`;
    for (const w of payloadWindows(original)) expect(told).not.toContain(w);
    return error;
  }
}

/** Line-level edits people and broken tools make to a share text. */
type LineEdit =
  | { kind: 'delete' | 'duplicate'; at: number }
  | { kind: 'insert'; at: number; line: string }
  | { kind: 'replace-value'; at: number; value: string };

const lineEdit: fc.Arbitrary<LineEdit> = fc.oneof(
  fc.record({ kind: fc.constantFrom('delete' as const, 'duplicate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    line: fc.oneof(
      fc.constantFrom(
        'data: AAAAAAAAAAAAAAAAAAAAAA==',
        'index: 1',
        'count: 9',
        'threshold: 2',
        'tenant: evil',
        'checksum: 00',
        '',
      ),
      fc.string({ maxLength: 40 }),
    ),
  }),
  fc.record({
    kind: fc.constant('replace-value' as const),
    at: fc.nat(),
    value: fc.oneof(
      fc.constantFrom('0', '256', '-1', '1.5', '', ' ', 'NaN', '1e2', '0x10', '!!!'),
      fc.string({ maxLength: 20 }),
    ),
  }),
);

function editLines(text: string, edits: readonly LineEdit[]): string {
  const lines = text.split('\n');
  for (const e of edits) {
    const at = e.at % lines.length;
    if (e.kind === 'delete') lines.splice(at, 1);
    else if (e.kind === 'duplicate') lines.splice(at, 0, lines[at]!);
    else if (e.kind === 'insert') lines.splice(at, 0, e.line);
    else if (e.kind === 'replace-value') {
      const line = lines[at]!;
      const colon = line.indexOf(': ');
      if (colon > 0) lines[at] = `${line.slice(0, colon + 2)}${e.value}`;
    }
  }
  return lines.join('\n');
}

describe('parseShare under fuzzing', () => {
  it('reads back every share encodeShare writes', () => {
    fc.assert(
      fc.property(shareArb, (partial) => {
        const share: EscrowShare = { ...partial, escrowRecipient: recipient };
        expect(parseShare(encodeShare(share), SOURCE)).toEqual(share);
      }),
      { numRuns: 150 },
    );
  });

  it('never accepts a byte-corrupted share as a different share, nor echoes its payload', () => {
    fc.assert(
      fc.property(shareArb, fc.array(byteMutation, { minLength: 1, maxLength: 3 }), (partial, mutations) => {
        const share: EscrowShare = { ...partial, escrowRecipient: recipient };
        const outcome = shareOrProblem(mutateBytes(encodeShare(share), mutations), share);
        // Corruption past the checksum (trailing blanks, a cut final newline) may leave the share intact.
        if (!(outcome instanceof ValidationError)) expect(outcome).toEqual(share);
      }),
      { numRuns: 300 },
    );
  });

  it('never accepts a share with lines deleted, repeated, inserted or edited as a different share', () => {
    fc.assert(
      fc.property(shareArb, fc.array(lineEdit, { minLength: 1, maxLength: 3 }), (partial, edits) => {
        const share: EscrowShare = { ...partial, escrowRecipient: recipient };
        const text = Buffer.from(encodeShare(share)).toString('utf8');
        const outcome = shareOrProblem(Buffer.from(editLines(text, edits)), share);
        if (!(outcome instanceof ValidationError)) expect(outcome).toEqual(share);
      }),
      { numRuns: 300 },
    );
  });

  it('fails only with a ValidationError on random text behind the share magic line', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.boolean(), (body, magic) => {
        const text = magic ? `${SHARE_MAGIC}\n${body}` : body;
        try {
          parseShare(Buffer.from(text), SOURCE);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          expect(error.problems.every((p) => p.file === SOURCE)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
