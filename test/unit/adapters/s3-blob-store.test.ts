import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySourceOf } from '#adapters/aws/s3-blob-store.ts';
import { NotFoundError, ValidationError } from '#core/errors.ts';
import { type CloudFixture, startTestCloud } from '../../support/local-cloud.ts';

let fx: CloudFixture;
beforeAll(async () => {
  fx = await startTestCloud();
});
afterAll(async () => fx.stop());

describe('S3BlobStore', () => {
  it('reads back exactly the text it wrote, including non-ASCII characters', async () => {
    await fx.adapters.blobs.putText('t/utf8.txt', 'déjà vu ✓\n');

    expect(await fx.adapters.blobs.getText('t/utf8.txt')).toBe('déjà vu ✓\n');
    expect(await fx.adapters.blobs.exists('t/utf8.txt')).toBe(true);
  });

  it('refuses an object larger than maxBytes instead of reading it', async () => {
    await fx.adapters.blobs.putText('t/big.txt', 'x'.repeat(10_001));

    const read = fx.adapters.blobs.getText('t/big.txt', 10_000);

    await expect(read).rejects.toBeInstanceOf(ValidationError);
    await expect(read).rejects.toMatchObject({ code: 'ObjectTooLarge' });
    expect(await fx.adapters.blobs.getText('t/big.txt', 10_001)).toHaveLength(10_001);
  });

  it('reports a missing object as NotFoundError on read and false on exists', async () => {
    await expect(fx.adapters.blobs.getText('t/missing.txt')).rejects.toBeInstanceOf(NotFoundError);
    expect(await fx.adapters.blobs.exists('t/missing.txt')).toBe(false);
  });

  // 1,050 real PUTs to s3rver: seconds on a loaded 2-core machine, so more room than the 5 s default.
  it('lists every key under a prefix across several result pages', { timeout: 30_000 }, async () => {
    const keys = Array.from({ length: 1_050 }, (_, i) => `many/${String(i).padStart(4, '0')}.json`);
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(keys.slice(i, i + 100).map((k) => fx.adapters.blobs.putText(k, '{}')));
    }
    await fx.adapters.blobs.putText('other/0.json', '{}');

    const listed = await fx.adapters.blobs.list('many/');

    expect(listed.sort()).toEqual(keys);
  });

  it('moves an object (keys with spaces included) and deletes it', async () => {
    await fx.adapters.blobs.putText('inbox/a/report 1.json', 'body');

    await fx.adapters.blobs.move('inbox/a/report 1.json', 'processed/a/report 1.json');

    expect(await fx.adapters.blobs.exists('inbox/a/report 1.json')).toBe(false);
    expect(await fx.adapters.blobs.getText('processed/a/report 1.json')).toBe('body');
    await fx.adapters.blobs.delete('processed/a/report 1.json');
    expect(await fx.adapters.blobs.exists('processed/a/report 1.json')).toBe(false);
  });

  it.each([
    ['a plus sign', 'inbox/a/daily+weekly.json'],
    ['spaces', 'inbox/a/report 2 of 3.json'],
    ['unicode', 'inbox/a/sauvegarde-été-✓.json'],
    ['a percent sign and what looks like an escape', 'inbox/a/100% done %2B.json'],
    ['every character decodeURI keeps encoded', 'inbox/a/x;y,z?q:r@s&t=u+v$w#1.json'],
  ])('moves an object whose key contains %s', async (_label, key) => {
    const target = key.replace('inbox/', 'processed/');
    await fx.adapters.blobs.putText(key, `body of ${key}`);

    await fx.adapters.blobs.move(key, target);

    expect(await fx.adapters.blobs.exists(key)).toBe(false);
    expect(await fx.adapters.blobs.getText(target)).toBe(`body of ${key}`);
  });

  it('reports moving a missing object as NotFoundError, whatever its key contains', async () => {
    await fx.adapters.blobs.putText('inbox/a/a b.json', 'not this one');

    await expect(fx.adapters.blobs.move('inbox/a/a+b.json', 'processed/a/a+b.json')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(fx.adapters.blobs.move('inbox/a/none.json', 'processed/a/none.json')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await fx.adapters.blobs.exists('processed/a/a+b.json')).toBe(false);
    expect(await fx.adapters.blobs.getText('inbox/a/a b.json')).toBe('not this one');
  });
});

describe('copySourceOf (x-amz-copy-source, URL-decoded by S3)', () => {
  it('percent-encodes each key segment in UTF-8 and keeps the slashes', () => {
    expect(copySourceOf('data', 'inbox/t/a+b c%é?#.json')).toBe('data/inbox/t/a%2Bb%20c%25%C3%A9%3F%23.json');
  });

  it('decodes back to exactly the key for any key', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }), (key) => {
        const source = copySourceOf('data', key);
        expect(source).not.toMatch(/[+ ?#]/);
        expect(decodeURIComponent(source.slice('data/'.length))).toBe(key);
      }),
    );
  });
});
