/**
 * Reads what an auditor report needs from the restore-test ports, so the CLI command and any Lambda
 * build the same input. The period's end is exclusive while RestoreTestStore.list takes an inclusive
 * ISO `to`, hence the last millisecond of the period.
 */
import type { FindingStore, RestoreFinding, RestoreTestStore, RestoreTestSummary } from '../restore/ports.ts';
import { toIso } from '../time.ts';

export interface GatheredRestoreEvidence {
  tests: RestoreTestSummary[];
  findings: RestoreFinding[];
}

export async function gatherRestoreEvidence(
  stores: { restoreTests: RestoreTestStore; findings: FindingStore },
  tenantId: string,
  period: { from: number; to: number },
): Promise<GatheredRestoreEvidence> {
  const [tests, findings] = await Promise.all([
    stores.restoreTests.list(tenantId, { from: toIso(period.from), to: toIso(period.to - 1) }),
    stores.findings.list(tenantId, { source: 'restore-test' }),
  ]);
  return { tests, findings };
}
