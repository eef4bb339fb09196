/**
 * V8 tuning for the Assemble Lambda. Most of what assembling allocates is short-lived buffers
 * streaming by; V8's default heap growth (a factor chosen from GC speed, up to 4×) lets that garbage
 * pile up before a full collection. A fixed 2× growth factor measured ~200 MB peak RSS instead of
 * ~220–260 MB for the 1 GB bench dossier, at the same speed (bench/dossier.ts).
 *
 * `--heap-growing-percent` is not allowed in NODE_OPTIONS (the only way to pass Node flags to a
 * Lambda without a wrapper script), so it is set at run time, before the first export allocates.
 * V8 reads the factor at each collection, so setting it after start-up takes effect.
 */
import { setFlagsFromString } from 'node:v8';

export const ASSEMBLE_HEAP_FLAGS = '--heap-growing-percent=100';

export function tuneHeapForAssembly(): void {
  setFlagsFromString(ASSEMBLE_HEAP_FLAGS);
}
