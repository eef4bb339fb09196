/** What every benchmark returns to bench/run.ts: printable lines and whether it met its target. */
export interface BenchResult {
  name: string;
  lines: string[];
  ok: boolean;
}
