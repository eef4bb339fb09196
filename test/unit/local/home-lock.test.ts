import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireHomeLock, HomeBusyError, LOCK_FILE, type LockHolder } from '#local/home-lock.ts';

const home = () => mkdtemp(join(tmpdir(), 'reversa-lock-'));

/** A fake clock whose waits advance it: no real sleeps, deterministic timeouts. */
function fakeTime(start = 0) {
  let now = start;
  return {
    now: () => now,
    delay: async (ms: number) => {
      now += ms;
    },
  };
}

describe('one writer per home', () => {
  it('waits for the holder, says once whom it waits for, and gets the lock once it is released', async () => {
    const dir = await home();
    const first = await acquireHomeLock(dir, { command: 'reversa strategy apply a.yaml' });
    const waitedFor: LockHolder[] = [];
    const time = fakeTime();
    let polls = 0;
    const second = acquireHomeLock(dir, {
      command: 'reversa strategy apply b.yaml',
      onWait: (holder) => waitedFor.push(holder),
      now: time.now,
      delay: async (ms) => {
        polls++;
        if (polls === 3) await first.release();
        await time.delay(ms);
      },
    });

    const lock = await second;

    expect(waitedFor).toHaveLength(1);
    expect(waitedFor[0]).toMatchObject({ pid: process.pid, command: 'reversa strategy apply a.yaml' });
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({
      command: 'reversa strategy apply b.yaml',
    });
    await lock.release();
  });

  it('gives up after the timeout with an error naming the holder', async () => {
    const dir = await home();
    await acquireHomeLock(dir, { command: 'reversa local up' });
    const time = fakeTime();

    const waiting = acquireHomeLock(dir, { timeoutMs: 5_000, now: time.now, delay: time.delay });

    await expect(waiting).rejects.toBeInstanceOf(HomeBusyError);
    await expect(acquireHomeLock(dir, { timeoutMs: 0, now: time.now, delay: time.delay })).rejects.toThrow(
      /gave up waiting for 'reversa local up' \(pid \d+, since .*\), which still uses/,
    );
  });

  it('takes over a lock whose process is gone', async () => {
    const dir = await home();
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: 999_999_999, command: 'killed', since: 'then' }));

    const lock = await acquireHomeLock(dir, { isAlive: (pid) => pid === process.pid, command: 'reversa verify' });

    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });
});
