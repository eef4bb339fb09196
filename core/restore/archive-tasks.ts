/**
 * A small bound on concurrent work for the archive restore: the archive is parsed strictly in order,
 * but writing a finished file into the sandbox and reading it back are independent of the parser, so
 * several of them run at once (thread-pool file I/O, parallel S3 requests) while the parser moves on.
 * Both the number of tasks and the bytes they hold are capped, so memory stays constant whatever the
 * archive size.
 */
export class BoundedTasks {
  private readonly running = new Set<Promise<void>>();
  private heldBytes = 0;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly maxTasks: number,
    private readonly maxBytes: number,
  ) {}

  /**
   * Waits until a task holding `bytes` fits (a task larger than the whole budget waits until it runs
   * alone). Rethrows the first failure of an earlier task, so the caller stops feeding work.
   */
  async room(bytes: number): Promise<void> {
    while (
      this.failure === undefined &&
      this.running.size > 0 &&
      (this.running.size >= this.maxTasks || this.heldBytes + bytes > this.maxBytes)
    )
      await Promise.race(this.running);
    this.rethrow();
  }

  /** Starts a task at once (call room() first); its failure is kept and rethrown by room() or drain(). */
  start(bytes: number, task: () => Promise<void>): void {
    this.heldBytes += bytes;
    const running: Promise<void> = task()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => {
        this.heldBytes -= bytes;
        this.running.delete(running);
      });
    this.running.add(running);
  }

  /** Waits for every started task; rethrows the first failure. */
  async drain(): Promise<void> {
    await this.settle();
    this.rethrow();
  }

  /** Waits for every started task and never throws (before cleaning up after an error). */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private rethrow(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }
}
