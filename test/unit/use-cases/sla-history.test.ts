/**
 * The RPO history of an SLA period is read from each run's small RPO sidecar; runs persisted
 * before sidecars existed are read from their full reports, and both give the same series.
 */
import { describe, expect, it } from 'vitest';
import type { ReportRange, ReportSummary } from '#core/ports.ts';
import { HISTORY_READS_IN_FLIGHT, rpoHistory } from '#core/use-cases/sla-gather.ts';
import { reportKeyOf } from '#core/use-cases/verify.ts';
import type { VerificationReport } from '#core/verify/report-types.ts';
import { rpoSidecarKeyOf, rpoSidecarOf } from '#core/verify/rpo-sidecar.ts';
import { MemoryBlobStore } from '../audit/memory.ts';

const HOUR = 3_600_000;
const FROM = Date.parse('2026-11-01T00:00:00Z');
const END = Date.parse('2026-12-01T00:00:00Z');

type Verdict = { status: string; evidence?: Record<string, unknown> };

/** A report of three resources: one compliant, one never backed up, one without an RPO rule applying. */
function report(runId: string, at: number): VerificationReport {
  const rpo = (verdict: Verdict) => [{ ruleId: 'RpoMet', verdict }];
  const resources = [
    {
      resourceId: 'nas://a',
      results: rpo({
        status: 'COMPLIANT',
        evidence: { lastGoodAt: new Date(at - HOUR).toISOString(), deadline: new Date(at + 23 * HOUR).toISOString() },
      }),
    },
    { resourceId: 'nas://b', results: rpo({ status: 'NON_COMPLIANT', evidence: { rpo: '1d', lastGoodAt: null } }) },
    { resourceId: 'nas://c', results: rpo({ status: 'NOT_APPLICABLE' }) },
    { resourceId: 'nas://d', results: [{ ruleId: 'ResourceCovered', verdict: { status: 'COMPLIANT' } }] },
  ];
  return { runId, evaluatedAt: new Date(at).toISOString(), resources } as unknown as VerificationReport;
}

/** The runs of the store: one before the period, `n` in it, one after; `sidecars(i)` says which have one. */
async function history(n: number, sidecars: (i: number) => boolean) {
  const blobs = new MemoryBlobStore();
  const summaries: ReportSummary[] = [];
  const times = [FROM - 5 * HOUR, ...Array.from({ length: n }, (_, i) => FROM + i * 5 * HOUR), END + HOUR];
  for (const [i, at] of times.entries()) {
    const runId = `run-${String(i).padStart(3, '0')}`;
    const reportKey = reportKeyOf('acme', at, runId);
    const full = report(runId, at);
    await blobs.putText(reportKey, JSON.stringify(full));
    if (sidecars(i)) await blobs.putText(rpoSidecarKeyOf(reportKey), JSON.stringify(rpoSidecarOf(full)));
    summaries.push({ runId, evaluatedAt: full.evaluatedAt, reportKey } as ReportSummary);
  }
  const reads: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const counted = {
    getText: async (key: string) => {
      reads.push(key);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise<void>((resolve) => queueMicrotask(resolve));
      inFlight--;
      return blobs.getText(key);
    },
  };
  const listed: (ReportRange | undefined)[] = [];
  const reports = {
    listReports: async (_tenant: string, limit: number, range?: ReportRange) => {
      listed.push(range);
      const lo = range?.from === undefined ? -Infinity : Date.parse(range.from);
      const hi = range?.to === undefined ? Infinity : Date.parse(range.to);
      return summaries
        .filter((s) => Date.parse(s.evaluatedAt) >= lo && Date.parse(s.evaluatedAt) < hi)
        .reverse()
        .slice(0, limit);
    },
  };
  const rpo = await rpoHistory({ reports, blobs: counted }, 'acme', FROM, END);
  return { rpo, reads, listed, maxInFlight };
}

describe('the RPO history of an SLA period', () => {
  it('is the same from sidecars, from full reports and from a mix of both', async () => {
    const fromReports = await history(20, () => false);
    const fromSidecars = await history(20, () => true);
    const mixed = await history(20, (i) => i % 3 === 0);

    expect(fromReports.rpo.runIds).toHaveLength(21);
    expect(fromReports.rpo.runIds[0]).toBe('run-000');
    expect(fromReports.rpo.resources.map((r) => r.resourceId)).toEqual(['nas://a', 'nas://b']);
    const b = fromReports.rpo.resources[1]!;
    expect(Array.from(b.lastGoodAt).every(Number.isNaN)).toBe(true);
    expect(Array.from(b.deadline).every(Number.isNaN)).toBe(true);
    expect(fromReports.rpo.resources[0]!.deadline[0]).toBe(FROM - 5 * HOUR + 23 * HOUR);
    expect(fromSidecars.rpo).toEqual(fromReports.rpo);
    expect(mixed.rpo).toEqual(fromReports.rpo);
  });

  it('reads only the sidecars when every run has one, and lists only the period and the run before it', async () => {
    const { reads, listed } = await history(20, () => true);

    expect(reads).toHaveLength(21);
    expect(reads.every((k) => k.endsWith('.rpo.json'))).toBe(true);
    expect(listed).toEqual(
      expect.arrayContaining([
        { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' },
        { to: '2026-11-01T00:00:00.000Z' },
      ]),
    );
  });

  it('falls back to the full report of a run persisted before sidecars existed', async () => {
    const { reads } = await history(4, (i) => i !== 2);

    expect(reads.filter((k) => !k.endsWith('.rpo.json'))).toEqual([expect.stringMatching(/run-002\.json$/)]);
  });

  it('keeps at most a bounded number of reads in flight', async () => {
    const { maxInFlight, rpo } = await history(40, () => true);

    expect(maxInFlight).toBe(HISTORY_READS_IN_FLIGHT);
    expect(rpo.runIds).toHaveLength(41);
  });
});
