import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '#core/errors.ts';
import { type CloudFixture, startTestCloud } from './local-cloud-fixture.ts';

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

  it('lists every key under a prefix across several result pages', async () => {
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
});
