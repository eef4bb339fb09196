/**
 * The Sandbox port: an isolated, disposable place a restore writes into and the validation reads back
 * from. adapters/host/fs-sandbox.ts (a temp directory) and adapters/aws/s3-sandbox.ts (a bucket prefix)
 * implement it; tests wrap them to inject faults.
 */
export interface SandboxFile {
  /** Relative, `/`-separated, already sanitised (safeRelativePath). */
  path: string;
  size: number;
}

export interface Sandbox {
  /** Where it is, for the evidence: file:///tmp/…/ or s3://bucket/prefix/. */
  readonly location: string;
  /** Streams one file in (never buffering it whole). `size` is a hint when the archive states it. */
  put(path: string, body: AsyncIterable<Buffer>, size: number | undefined): Promise<void>;
  /** Every file currently in the sandbox. */
  list(): AsyncIterable<SandboxFile>;
  /** Reads one file back from the sandbox itself (not from any cache of what was written). */
  read(path: string): AsyncIterable<Uint8Array>;
  /** Deletes everything, then lists again: `remaining` must be 0 for the cleanup to count. */
  removeAll(): Promise<{ removed: number; remaining: number }>;
}
