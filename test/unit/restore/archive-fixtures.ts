import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Clock } from '#core/ports.ts';
import { manifestLines } from '#core/restore/manifest.ts';

export const FILES: Record<string, string> = {
  'readme.txt': 'hello restore\n',
  'docs/a.txt': 'alpha\n'.repeat(100),
  'docs/b.txt': 'bravo\n'.repeat(3000),
  'docs/deep/c.bin': 'x'.repeat(70_000),
  'data/empty.dat': '',
  'data/name with spaces.txt': 'spaces\n',
  ...Object.fromEntries(
    Array.from({ length: 20 }, (_, i) => [`many/f${String(i).padStart(2, '0')}.txt`, `file ${i}\n`]),
  ),
};

export interface Fixture {
  root: string;
  data: string;
  manifestText: string;
  cleanup(): void;
}

export function makeTree(files: Record<string, string> = FILES): Fixture {
  const root = mkdtempSync(join(tmpdir(), 'reversa-test-'));
  const data = join(root, 'data');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(data, path)), { recursive: true });
    writeFileSync(join(data, path), content);
  }
  const manifestText = Object.entries(files)
    .map(([path, content]) =>
      manifestLines(path, {
        sha256: createHash('sha256').update(content).digest('hex'),
        size: Buffer.byteLength(content),
      }),
    )
    .join('');
  return { root, data, manifestText, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Builds an archive of the fixture's data directory with the system tools. */
export function archive(fx: Fixture, format: 'tar' | 'tar.gz' | 'zip', name = `backup.${format}`): string {
  const out = join(fx.root, name);
  rmSync(out, { force: true });
  if (format === 'tar') execFileSync('tar', ['-cf', out, '-C', fx.data, '.']);
  else if (format === 'tar.gz') execFileSync('tar', ['-czf', out, '-C', fx.data, '.']);
  else execFileSync('zip', ['-qr', out, '.'], { cwd: fx.data });
  return out;
}

export function fileStream(path: string): () => Promise<AsyncIterable<Uint8Array>> {
  return async () => createReadStream(path);
}

export function textStream(text: string): () => Promise<Iterable<Uint8Array>> {
  return async () => [Buffer.from(text)];
}

export function read(path: string): string {
  return readFileSync(path, 'utf8');
}

/** A clock that advances by `step` ms on every read: deterministic spans, no sleeps. */
export function steppingClock(start = Date.UTC(2026, 0, 4, 3, 0, 0), step = 1000): Clock {
  let now = start - step;
  return { now: () => (now += step) };
}
