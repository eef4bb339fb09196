import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { Decrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEscrow } from '#core/dossier/escrow/open.ts';
import { sealEscrow } from '#core/dossier/escrow/seal.ts';
import { encodeShare, parseShare } from '#core/dossier/escrow/share-format.ts';
import { ValidationError } from '#core/errors.ts';
import { decodeSecretBundle } from '#core/secrets/bundle.ts';
import { ageKeygen, filesOf, memorySource } from './escrow-fixture.ts';

const now = new Date('2025-03-01T10:00:00Z');
const canaries = Array.from({ length: 4 }, () => `CANARY-${randomUUID()}`);
const secrets = {
  'reversa/acme/db-password': canaries[0]!,
  'reversa/acme/api-token': canaries[1]!,
  'tls/private key.pem': canaries[2]!,
  binary: new Uint8Array([0, 1, 2, 255, ...Buffer.from(canaries[3]!)]),
};
const source = memorySource('acme', secrets);
const leaks = canaries.flatMap((c) => [c, Buffer.from(c).toString('base64'), Buffer.from(c).toString('hex')]);
const errorText = (e: unknown) =>
  e instanceof Error ? `${e.name} ${e.message} ${inspect(e, { depth: 5 })}` : String(e);
const caught = (p: Promise<unknown>) => p.then(() => undefined).catch((e: unknown) => e);

async function newKey() {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

describe('credentials escrow', () => {
  const keys: ReturnType<typeof ageKeygen>[] = [];
  let successor: ReturnType<typeof ageKeygen>;
  let breakGlass: Awaited<ReturnType<typeof newKey>>;
  let custodians: ReturnType<typeof ageKeygen>[];

  beforeAll(async () => {
    successor = ageKeygen();
    keys.push(successor);
    breakGlass = await newKey();
    custodians = Array.from({ length: 5 }, ageKeygen);
    keys.push(...custodians);
  });
  afterAll(() => {
    for (const key of keys) key.cleanup();
  });

  describe('direct mode', () => {
    it('is opened by the stock age binary with the successor key, and the content matches', async () => {
      const sealed = await sealEscrow({ source, tenantId: 'acme', recipients: [successor.recipient], now });
      const files = filesOf(sealed);
      expect([...files.map.keys()]).toEqual(['escrow-manifest.json', 'secrets.age']);

      const run = spawnSync('age', ['-d', '-i', successor.file], { input: files.get('secrets.age') });
      expect(run.status).toBe(0);
      const entries = await decodeSecretBundle(run.stdout);
      const byName = Object.fromEntries(entries.map((e) => [e.ref.name, Buffer.from(e.value.bytes())]));
      expect(byName['reversa/acme/db-password']?.toString()).toBe(canaries[0]);
      expect(byName['tls/private key.pem']?.toString()).toBe(canaries[2]);
      expect(byName.binary).toEqual(Buffer.from(secrets.binary));
      const one = spawnSync('tar', ['-xO', 'secrets/reversa%2Facme%2Fapi-token'], { input: run.stdout });
      expect(one.stdout.toString()).toBe(canaries[1]);
    });

    it('is opened by openEscrow with the successor identity, and by break-glass', async () => {
      const sealed = await sealEscrow({
        source,
        tenantId: 'acme',
        recipients: [successor.recipient],
        breakGlass: breakGlass.recipient,
        now,
      });
      for (const identity of [successor.identity, breakGlass.identity]) {
        const opened = await openEscrow({ files: filesOf(sealed).reader, identities: [identity] });
        expect(opened.openedWith).toBe('identity');
        expect(opened.tenantId).toBe('acme');
        expect(opened.sealedAt).toBe(now.getTime());
        const db = opened.secrets.find((s) => s.name === 'reversa/acme/db-password')!;
        expect(db).toMatchObject({ version: 'v1', lastChangedAt: Date.UTC(2025, 0, 1) });
        expect(db.value.use((b) => Buffer.from(b).toString())).toBe(canaries[0]);
        for (const leak of leaks) expect(inspect(opened, { depth: 10 }) + JSON.stringify(opened)).not.toContain(leak);
        opened.wipe();
        expect(db.value.wiped).toBe(true);
      }
    });

    it('writes a manifest with names, versions, change times and fingerprints but no value', async () => {
      const sealed = await sealEscrow({
        source,
        tenantId: 'acme',
        recipients: [successor.recipient],
        breakGlass: breakGlass.recipient,
        now,
      });
      const manifest = JSON.parse(filesOf(sealed).get('escrow-manifest.json').toString());
      expect(manifest.secrets.map((s: { name: string }) => s.name)).toEqual([
        'binary',
        'reversa/acme/api-token',
        'reversa/acme/db-password',
        'tls/private key.pem',
      ]);
      expect(manifest.secrets[2]).toEqual({
        name: 'reversa/acme/db-password',
        version: 'v1',
        lastChangedAt: '2025-01-01T00:00:00.000Z',
        path: 'secrets/reversa%2Facme%2Fdb-password',
      });
      expect(manifest.recipients.map((r: { role: string }) => r.role)).toEqual(['successor', 'break-glass']);
      expect(manifest.recipients[0].fingerprint).toMatch(/^SHA256:[0-9a-f]{64}$/);
      expect(sealed.recipientFingerprints).toHaveLength(2);
      expect(manifest.custody).toBeNull();
    });
  });

  describe('custody mode (3 of 5)', () => {
    let sealed: Awaited<ReturnType<typeof sealEscrow>>;
    const share = (i: number) => filesOf(sealed).get(`shares/share-${i}-of-5.age`);

    beforeAll(async () => {
      sealed = await sealEscrow({
        source,
        tenantId: 'acme',
        recipients: [successor.recipient],
        breakGlass: breakGlass.recipient,
        custodians: { recipients: custodians.map((c) => c.recipient), threshold: 3 },
        now,
      });
    });

    it('publishes the escrow recipient and one share per custodian, and the successor key alone cannot open', async () => {
      const files = filesOf(sealed);
      expect([...files.map.keys()]).toEqual([
        'escrow-manifest.json',
        'escrow-public.txt',
        'secrets.age',
        ...[1, 2, 3, 4, 5].map((i) => `shares/share-${i}-of-5.age`),
      ]);
      expect(files.get('escrow-public.txt').toString().trim()).toBe(sealed.manifest.custody?.escrowRecipient);
      const direct = spawnSync('age', ['-d', '-i', successor.file], { input: files.get('secrets.age') });
      expect(direct.status).not.toBe(0);
      const error = await caught(openEscrow({ files: files.reader, identities: [successor.identity] }));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toMatch(/3 of 5 shares needed, got 0/);
    });

    it('opens with three custodians present with their keys', async () => {
      const opened = await openEscrow({
        files: filesOf(sealed).reader,
        identities: [custodians[0]!.identity, custodians[2]!.identity, custodians[4]!.identity],
      });
      expect(opened.openedWith).toBe('shares');
      expect(opened.secrets.find((s) => s.name === 'binary')!.value.bytes()).toEqual(secrets.binary);
    });

    it('opens with three share texts that custodians decrypted with stock age and handed over', async () => {
      const texts = [2, 3, 5].map((i) => {
        const run = spawnSync('age', ['-d', '-i', custodians[i - 1]!.file], { input: share(i) });
        expect(run.status).toBe(0);
        expect(run.stdout.toString()).toMatch(
          new RegExp(`^reversa-escrow-share v1\ntenant: acme\n[^]*index: ${i}\ncount: 5\nthreshold: 3\n`),
        );
        return run.stdout;
      });
      const opened = await openEscrow({ files: filesOf(sealed).reader, identities: [], shares: texts });
      expect(opened.openedWith).toBe('shares');
      expect(
        opened.secrets.find((s) => s.name === 'tls/private key.pem')!.value.use((b) => Buffer.from(b).toString()),
      ).toBe(canaries[2]);
    });

    it('fails clearly with k−1 shares', async () => {
      const error = await caught(
        openEscrow({
          files: filesOf(sealed).reader,
          identities: [custodians[0]!.identity, custodians[1]!.identity],
          shares: [share(1), share(2)],
        }),
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).code).toBe('EscrowNotEnoughShares');
      expect((error as Error).message).toContain('3 of 5 shares needed, got 2');
    });

    it('counts a share given twice once', async () => {
      const error = await caught(
        openEscrow({
          files: filesOf(sealed).reader,
          identities: [custodians[0]!.identity, custodians[1]!.identity],
          shares: [share(1), share(2), share(2)],
        }),
      );
      expect((error as Error).message).toContain('got 2');
    });

    it('fails clearly when a share is wrong, because the recombined key does not match escrow-public.txt', async () => {
      // A well-formed share with a valid checksum but wrong data, as a careless or hostile custodian could hand over.
      const real = await decryptShare(share(3), custodians[2]!.identity);
      const parsed = parseShare(real, 'share 3');
      parsed.data[0]! ^= 0x5a;
      const forged = encodeShare(parsed);
      const error = await caught(
        openEscrow({
          files: filesOf(sealed).reader,
          identities: [custodians[0]!.identity, custodians[1]!.identity],
          shares: [share(1), share(2), Buffer.from(forged)],
        }),
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).code).toBe('EscrowKeyMismatch');
      expect((error as Error).message).toMatch(/does not match the published escrow public key/);
    });

    it('refuses a corrupt share by its checksum and a share of another escrow by its recipient', async () => {
      const text = Buffer.from(await decryptShare(share(3), custodians[2]!.identity)).toString();
      const corrupt = Buffer.from(text.replace(/data: (.)/, (_m, c: string) => `data: ${c === 'A' ? 'B' : 'A'}`));
      const corruptError = await caught(
        openEscrow({ files: filesOf(sealed).reader, identities: [], shares: [corrupt] }),
      );
      expect((corruptError as ValidationError).code).toBe('EscrowShareInvalid');
      expect((corruptError as Error).message).toMatch(/checksum does not match/);

      const other = await sealEscrow({
        source,
        tenantId: 'acme',
        recipients: [],
        custodians: { recipients: custodians.slice(0, 3).map((c) => c.recipient), threshold: 2 },
        now,
      });
      const foreign = filesOf(other).get('shares/share-1-of-3.age');
      const foreignError = await caught(
        openEscrow({
          files: filesOf(sealed).reader,
          identities: [custodians[0]!.identity, custodians[1]!.identity, custodians[2]!.identity],
          shares: [share(2), share(3), foreign],
        }),
      );
      expect((foreignError as ValidationError).code).toBe('EscrowShareMismatch');
    });

    it('opens with k shares given as files plus the keys that decrypt them, and with break-glass alone', async () => {
      const viaShares = await openEscrow({
        files: filesOf(sealed).reader,
        identities: [custodians[1]!.identity, custodians[3]!.identity, custodians[4]!.identity],
        shares: [share(2), share(4), share(5)],
      });
      expect(viaShares.secrets).toHaveLength(4);
      const viaBreakGlass = await openEscrow({ files: filesOf(sealed).reader, identities: [breakGlass.identity] });
      expect(viaBreakGlass.openedWith).toBe('identity');
    });

    it('keeps canaries out of every artifact and every error of the failing paths', async () => {
      const errors = await Promise.all([
        caught(openEscrow({ files: filesOf(sealed).reader, identities: [successor.identity] })),
        caught(
          openEscrow({ files: filesOf(sealed).reader, identities: [custodians[0]!.identity], shares: [share(1)] }),
        ),
        caught(openEscrow({ files: filesOf(sealed).reader, identities: [canaries[0]!] })),
        caught(openEscrow({ files: filesOf(sealed).reader, identities: [], shares: [Buffer.from(canaries[1]!)] })),
        caught(
          sealEscrow({
            source,
            tenantId: 'acme',
            recipients: [successor.recipient, canaries[2]!, breakGlass.identity],
            now,
          }),
        ),
      ]);
      expect(errors.every((e) => e instanceof ValidationError)).toBe(true);
      const texts = [
        ...sealed.files.map((f) => f.body.toString('latin1')),
        JSON.stringify(sealed.manifest),
        inspect(sealed, { depth: 10 }),
        ...errors.map(errorText),
      ];
      for (const text of texts) for (const leak of leaks) expect(text).not.toContain(leak);
    });
  });

  describe('validation', () => {
    it('names a bad recipient by position without echoing it, and spots a pasted secret key', async () => {
      const error = await caught(
        sealEscrow({
          source,
          tenantId: 'acme',
          recipients: [successor.recipient, 'age1notarecipient', breakGlass.identity],
          now,
        }),
      );
      expect(error).toBeInstanceOf(ValidationError);
      const problems = (error as ValidationError).problems;
      expect(problems.map((p) => p.path)).toEqual(['recipients[1]', 'recipients[2]']);
      expect(problems[1]!.message).toMatch(/SECRET key/);
      expect((error as Error).message).not.toContain('age1notarecipient');
      expect((error as Error).message).not.toContain(breakGlass.identity);
    });

    it('rejects a recipient with a broken bech32 checksum', async () => {
      const last = successor.recipient.at(-1) === 'q' ? 'p' : 'q';
      const typo = successor.recipient.slice(0, -1) + last;
      const error = await caught(sealEscrow({ source, tenantId: 'acme', recipients: [typo], now }));
      expect((error as ValidationError).problems[0]).toMatchObject({ path: 'recipients[0]' });
    });

    it('rejects a threshold outside 2..n and duplicate custodians', async () => {
      const error = await caught(
        sealEscrow({
          source,
          tenantId: 'acme',
          recipients: [],
          custodians: { recipients: [custodians[0]!.recipient, custodians[0]!.recipient], threshold: 3 },
          now,
        }),
      );
      expect((error as ValidationError).problems.map((p) => p.path)).toEqual([
        'custodians.recipients[1]',
        'custodians.threshold',
      ]);
    });

    it('detects a flipped byte in secrets.age before decrypting', async () => {
      const sealed = await sealEscrow({ source, tenantId: 'acme', recipients: [successor.recipient], now });
      const files = filesOf(sealed);
      const flipped = Buffer.from(files.get('secrets.age'));
      flipped[flipped.length - 3]! ^= 1;
      files.map.set('secrets.age', flipped);
      const error = await caught(openEscrow({ files: files.reader, identities: [successor.identity] }));
      expect((error as ValidationError).code).toBe('EscrowCorrupt');
    });
  });

  it('round-trips arbitrary secret bytes through seal and open', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 4096 }), { minLength: 1, maxLength: 5 }), async (values) => {
        const input = Object.fromEntries(values.map((v, i) => [`s${i}`, v]));
        const sealed = await sealEscrow({
          source: memorySource('t', input),
          tenantId: 't',
          recipients: [successor.recipient],
          now,
        });
        const opened = await openEscrow({ files: filesOf(sealed).reader, identities: [successor.identity] });
        for (const [i, v] of values.entries()) {
          expect(opened.secrets.find((s) => s.name === `s${i}`)!.value.bytes()).toEqual(v);
        }
      }),
      { numRuns: 40 },
    );
  });
});

async function decryptShare(file: Uint8Array, identity: string): Promise<Uint8Array> {
  const d = new Decrypter();
  d.addIdentity(identity);
  return d.decrypt(file);
}
