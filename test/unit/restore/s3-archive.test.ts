import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsSandbox } from '#adapters/host/fs-sandbox.ts';
import { restoreAndVerifyArchive } from '#core/restore/s3-archive.ts';
import type { Sandbox } from '#core/restore/sandbox.ts';
import { archive, type Fixture, fileStream, makeTree, steppingClock, textStream } from './archive-fixtures.ts';

let fx: Fixture;
let sandbox: FsSandbox;

beforeEach(async () => {
  fx = makeTree();
  sandbox = await FsSandbox.create('test', fx.root);
});
afterEach(() => fx.cleanup());

function run(archivePath: string, overrides: Partial<Parameters<typeof restoreAndVerifyArchive>[0]> = {}) {
  return restoreAndVerifyArchive({
    openArchive: fileStream(archivePath),
    openManifest: textStream(fx.manifestText),
    sandbox,
    sample: 'all',
    seed: 'seed-1',
    clock: steppingClock(),
    ...overrides,
  });
}

describe('s3-archive restore verification', () => {
  it.each(['tar', 'tar.gz', 'zip'] as const)(
    'passes on an intact %s archive and leaves no sandbox behind',
    async (format) => {
      const path = archive(fx, format);

      const result = await run(path);

      expect(result.error).toBeUndefined();
      expect(result.format).toBe(format);
      expect(result.checks.map((c) => [c.name, c.status])).toEqual([
        ['checksums', 'PASSED'],
        ['file-list', 'PASSED'],
      ]);
      const checksums = result.checks[0]!;
      expect(checksums.counts).toMatchObject({ expected: 26, compared: 26, matched: 26 });
      expect(checksums.counts.bytes).toBe(
        Object.values((await import('./archive-fixtures.ts')).FILES).reduce((n, c) => n + c.length, 0),
      );
      expect(result.cleanup).toMatchObject({ result: 'CLEANED', removed: 26, remaining: 0 });
      expect(existsSync(sandbox.root)).toBe(false);
    },
  );

  it.each(['tar', 'tar.gz', 'zip'] as const)(
    'fails a %s restore whose data was altered after backup, naming the altered file',
    async (format) => {
      writeFileSync(join(fx.data, 'docs/b.txt'), `${'bravo\n'.repeat(2999)}BRAVO\n`);
      const path = archive(fx, format);

      const result = await run(path);

      const checksums = result.checks.find((c) => c.name === 'checksums')!;
      expect(checksums.status).toBe('FAILED');
      expect(checksums.changed).toEqual({ count: 1, names: ['docs/b.txt'], truncated: false });
      expect(checksums.message).toContain('docs/b.txt');
      expect(result.cleanup.result).toBe('CLEANED');
    },
  );

  it('names missing and extra files', async () => {
    execFileSync('rm', [join(fx.data, 'docs/a.txt')]);
    writeFileSync(join(fx.data, 'intruder.sh'), 'echo pwned\n');
    const path = archive(fx, 'tar.gz');

    const result = await run(path);

    const fileList = result.checks.find((c) => c.name === 'file-list')!;
    expect(fileList.status).toBe('FAILED');
    expect(fileList.missing?.names).toEqual(['docs/a.txt']);
    expect(fileList.extra?.names).toEqual(['intruder.sh']);
    expect(result.checks.find((c) => c.name === 'checksums')?.missing?.names).toEqual(['docs/a.txt']);
  });

  it('restores and checks only the sample, the same files for the same seed', async () => {
    const path = archive(fx, 'tar');
    const restored: string[][] = [];
    const recording = (inner: Sandbox): Sandbox => ({
      location: inner.location,
      put: async (p, body, size) => {
        restored.at(-1)!.push(p);
        await inner.put(p, body, size);
      },
      list: () => inner.list(),
      read: (p) => inner.read(p),
      removeAll: () => inner.removeAll(),
    });

    const runs = [];
    for (const seed of ['seed-a', 'seed-a', 'seed-b']) {
      restored.push([]);
      const sb = await FsSandbox.create('sample', fx.root);
      runs.push(await run(path, { sandbox: recording(sb), sample: { percent: 20 }, seed }));
    }

    expect(runs[0]!.sample).toEqual({ mode: 'percent', value: 20, selected: 6, of: 26 });
    expect(runs[0]!.checks[0]!.counts.compared).toBe(6);
    expect(restored[0]!.sort()).toEqual(restored[1]!.sort());
    expect(restored[0]!.sort()).not.toEqual(restored[2]!.sort());
    expect(runs.every((r) => r.checks.every((c) => c.status === 'PASSED'))).toBe(true);
  });

  it('takes a count sample of exactly that many files', async () => {
    const result = await run(archive(fx, 'zip'), { sample: { count: 3 } });

    expect(result.checks[0]!.counts).toMatchObject({ expected: 3, compared: 3, matched: 3 });
  });

  it('reads a zip written to a pipe (data descriptors, sizes after the data)', async () => {
    const out = join(fx.root, 'piped.zip');
    execFileSync('sh', ['-c', `find . -type f | sort | zip -q -@ - > ${JSON.stringify(out)}`], { cwd: fx.data });

    const result = await run(out);

    expect(result.format).toBe('zip');
    expect(result.checks.map((c) => c.status)).toEqual(['PASSED', 'PASSED']);
  });

  it('reads a sha256sum manifest produced by the stock tool', async () => {
    const manifest = execFileSync('sh', ['-c', 'find . -type f -print0 | sort -z | xargs -0 sha256sum'], {
      cwd: fx.data,
    }).toString();

    const result = await run(archive(fx, 'tar'), { openManifest: textStream(manifest) });

    expect(result.checks.map((c) => c.status)).toEqual(['PASSED', 'PASSED']);
  });
});

describe('s3-archive fault injection: a result is always produced and cleanup always attempted', () => {
  function faulty(
    inner: Sandbox,
    fault: 'put' | 'read' | 'list' | 'remove',
    after = 3,
  ): Sandbox & { removeCalls: number } {
    let puts = 0;
    const s = {
      location: inner.location,
      removeCalls: 0,
      put: async (p: string, body: AsyncIterable<Buffer>, size: number | undefined) => {
        if (fault === 'put' && ++puts > after) throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
        await inner.put(p, body, size);
      },
      list: () => {
        if (fault === 'list') throw Object.assign(new Error('listing failed'), { code: 'EIO' });
        return inner.list();
      },
      read: (p: string) => {
        if (fault === 'read') throw Object.assign(new Error('read failed'), { code: 'EIO' });
        return inner.read(p);
      },
      removeAll: async () => {
        s.removeCalls++;
        if (fault === 'remove') throw Object.assign(new Error('AccessDenied'), { code: 'EACCES' });
        return inner.removeAll();
      },
    };
    return s;
  }

  it('records an ERROR and still cleans up when extraction throws midway', async () => {
    const sb = faulty(sandbox, 'put');

    const result = await run(archive(fx, 'tar.gz'), { sandbox: sb });

    expect(result.error).toEqual({ name: 'Error', message: 'failed with ENOSPC' });
    expect(sb.removeCalls).toBe(1);
    expect(result.cleanup).toMatchObject({ result: 'CLEANED', removed: 3, remaining: 0 });
    expect(existsSync(sandbox.root)).toBe(false);
  });

  it('records an ERROR and cleans up when the archive stream is truncated', async () => {
    const path = archive(fx, 'tar');
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(path);

    const result = await run(path, { openArchive: async () => [bytes.subarray(0, 5000)] });

    expect(result.error?.name).toBe('ValidationError');
    expect(result.error?.message).toMatch(/TruncatedArchive: .*unexpected end of data/);
    expect(result.cleanup.result).not.toBe('FAILED');
    expect(existsSync(sandbox.root)).toBe(false);
  });

  it('records an ERROR and cleans up when opening the archive fails', async () => {
    const result = await run('unused', {
      openArchive: async () => {
        throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
      },
    });

    expect(result.error?.name).toBe('NoSuchKey');
    expect(result.cleanup.result).toBe('NOTHING_TO_CLEAN');
  });

  it('fails the checksums check with the unreadable files named when reading back throws', async () => {
    const sb = faulty(sandbox, 'read');

    const result = await run(archive(fx, 'tar'), { sandbox: sb, sample: { count: 2 } });

    const checksums = result.checks.find((c) => c.name === 'checksums')!;
    expect(checksums.status).toBe('FAILED');
    expect(checksums.unreadable?.count).toBe(2);
    expect(result.cleanup.result).toBe('CLEANED');
  });

  it('records an ERROR when validation cannot list the sandbox, and still cleans up', async () => {
    const sb = faulty(sandbox, 'list');

    const result = await run(archive(fx, 'zip'), { sandbox: { ...sb, removeAll: () => sandbox.removeAll() } });

    expect(result.error?.message).toBe('failed with EIO');
    expect(result.cleanup.result).toBe('CLEANED');
  });

  it('records a FAILED cleanup when deletion throws, without throwing itself', async () => {
    const sb = faulty(sandbox, 'remove');

    const result = await run(archive(fx, 'tar'), { sandbox: sb });

    expect(result.checks.every((c) => c.status === 'PASSED')).toBe(true);
    expect(result.cleanup).toMatchObject({ result: 'FAILED', message: 'Error: failed with EACCES' });
    await sandbox.removeAll();
  });

  it('refuses entries that would escape the sandbox', async () => {
    const evil = join(fx.root, 'evil.tar');
    // A name of its own: a bare `x` in the shared temp directory may exist for unrelated reasons.
    const probe = `escape-probe-${basename(fx.root)}`;
    writeFileSync(join(fx.root, probe), 'evil');
    execFileSync('tar', ['-cf', evil, '-P', '-C', fx.data, '.', `../${probe}`]);

    const result = await run(evil);

    const fileList = result.checks.find((c) => c.name === 'file-list')!;
    expect(fileList.status).toBe('FAILED');
    expect(fileList.unreadable?.count).toBe(1);
    expect(existsSync(join(fx.root, '..', probe))).toBe(false);
  });
});
