/**
 * The local cloud's retry queue and dead letters: one JSON file per waiting delivery under
 * `<dir>/outbox/` (named by due time, so a directory listing is the schedule) and per given-up one
 * under `<dir>/dead-letters/`. A processor claims a due job by renaming it (atomic: two processes
 * never run the same job), runs it, and deletes the claim. A claim left by a killed process is
 * picked up again after CLAIM_TIMEOUT_MS: at least once. What SQS with a delay and a DLQ is in AWS.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeadLetters, DeliveryJob, RetryQueue } from '#core/notifications/ports.ts';

const CLAIM_TIMEOUT_MS = 5 * 60_000;

const jobKey = (job: DeliveryJob) =>
  createHash('sha256')
    .update(`${job.tenantId}\n${job.subscriptionId}\n${job.event.id}\n${job.attempt}`)
    .digest('hex')
    .slice(0, 32);

export interface DeadLetter {
  job: DeliveryJob;
  reason: string;
}

export class NotificationOutbox implements RetryQueue, DeadLetters {
  constructor(private readonly dir: string) {}

  private get outbox() {
    return join(this.dir, 'outbox');
  }
  private get dead() {
    return join(this.dir, 'dead-letters');
  }

  async enqueue(job: DeliveryJob): Promise<void> {
    await mkdir(this.outbox, { recursive: true, mode: 0o700 });
    const name = `${String(job.dueAt).padStart(15, '0')}-${jobKey(job)}.json`;
    await writeFile(join(this.outbox, name), JSON.stringify(job), { mode: 0o600 });
  }

  async put(job: DeliveryJob, reason: string): Promise<void> {
    await mkdir(this.dead, { recursive: true, mode: 0o700 });
    const letter: DeadLetter = { job, reason };
    await writeFile(join(this.dead, `${jobKey(job)}.json`), JSON.stringify(letter), { mode: 0o600 });
  }

  /** Claims and runs every job due at `now`, oldest first; `run` failing leaves the job for later. */
  async processDue(now: number, run: (job: DeliveryJob) => Promise<void>): Promise<number> {
    let names: string[];
    try {
      names = (await readdir(this.outbox)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    let ran = 0;
    for (const name of names) {
      const m = /^(\d{15})-[0-9a-f]{32}\.json(\.\d+\.claimed)?$/.exec(name);
      if (!m) continue;
      const file = join(this.outbox, name);
      if (m[2] === undefined) {
        if (Number(m[1]) > now) break;
      } else {
        // A claim left behind by a killed process (claims are about crashes, so wall time).
        const info = await stat(file).catch(() => undefined);
        if (!info || info.mtimeMs > Date.now() - CLAIM_TIMEOUT_MS) continue;
      }
      const original = join(this.outbox, name.replace(/\.\d+\.claimed$/, ''));
      const claim = `${original}.${process.pid}.claimed`;
      try {
        await rename(file, claim);
      } catch {
        continue; // another process took it
      }
      const job = JSON.parse(await readFile(claim, 'utf8')) as DeliveryJob;
      try {
        await run(job);
        await rm(claim, { force: true });
        ran++;
      } catch (error) {
        await rename(claim, original).catch(() => undefined);
        throw error;
      }
    }
    return ran;
  }

  /** Waiting deliveries, soonest first. */
  async pending(): Promise<DeliveryJob[]> {
    return this.readAll(this.outbox, (t) => JSON.parse(t) as DeliveryJob);
  }

  async deadLetters(): Promise<DeadLetter[]> {
    return this.readAll(this.dead, (t) => JSON.parse(t) as DeadLetter);
  }

  private async readAll<T>(dir: string, parse: (text: string) => T): Promise<T[]> {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return Promise.all(names.map(async (n) => parse(await readFile(join(dir, n), 'utf8'))));
  }
}
