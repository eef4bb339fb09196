import { readFileSync } from 'node:fs';

/**
 * This process's peak resident set size, in MB. Linux keeps getrusage()'s ru_maxrss across execve,
 * so a bench child spawned by a big parent would report the parent's peak: VmHWM in
 * /proc/self/status belongs to the current address space only. Falls back to maxRSS elsewhere.
 */
export function peakRssMb(): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}
