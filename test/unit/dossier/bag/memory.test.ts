/**
 * Streaming proof: a 300 MB payload goes through the writer while memory stays flat. Measured as
 * live heap plus array-buffer bytes (where stream chunks live), after a forced GC every 10 MB
 * produced, so uncollected garbage (which depends on machine load) does not count.
 */
import { Readable, Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import type { PayloadEntry } from '#core/dossier/bag/types.ts';
import { writeBag } from '#core/dossier/bag/writer.ts';
import { NOW, testSigner } from './support.ts';

const MB = 1024 * 1024;
const CHUNK = 256 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

it('keeps memory flat while writing a 300 MB streamed payload', async () => {
  let peak = 0;
  let produced = 0;
  const block = Buffer.alloc(CHUNK);
  for (let i = 0; i < CHUNK; i++) block[i] = (i * 2654435761) >>> 24;
  const text = Buffer.alloc(CHUNK, 'backup job completed; restore test passed\n');
  function generated(size: number, pattern: Buffer): Readable {
    let left = size;
    return new Readable({
      highWaterMark: CHUNK,
      read() {
        if (produced % (10 * MB) === 0) {
          gc();
          peak = Math.max(peak, used());
        }
        if (left === 0) return void this.push(null);
        const n = Math.min(left, CHUNK);
        left -= n;
        produced += n;
        this.push(Buffer.from(pattern.subarray(0, n)));
      },
    });
  }
  const entries: PayloadEntry[] = [
    { path: 'backups/a.bin', size: 100 * MB, compressible: false, open: async () => generated(100 * MB, block) },
    { path: 'backups/b.bin', size: 100 * MB, compressible: false, open: async () => generated(100 * MB, block) },
    { path: 'logs/c.log', size: 100 * MB, open: async () => generated(100 * MB, text) },
  ];
  let written = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      written += chunk.length;
      done();
    },
  });
  gc();
  const before = used();

  const result = await writeBag({
    bagName: 'big',
    payload: (async function* () {
      yield* entries;
    })(),
    totals: { bytes: 300 * MB, files: 3 },
    bagInfo: { 'Source-Organization': 'P', 'External-Identifier': 't/v1' },
    signer: testSigner(),
    sink,
    now: NOW,
  });

  expect(result.payloadOxum).toBe(`${300 * MB}.3`);
  expect(result.zipBytes).toBe(written);
  expect(written).toBeGreaterThan(200 * MB);
  expect(peak).toBeGreaterThan(0);
  expect(peak - before).toBeLessThan(48 * MB);
}, 120_000);
