/**
 * `npm run bench`: every benchmark, each printing its numbers and its ratio against a baseline
 * measured in the same run on the same machine. Exit code 1 when a target is missed, so a
 * regression is visible, but the numbers are the point: read them.
 */
import { benchApi } from './api.ts';
import { benchAudit } from './audit.ts';
import { benchCost } from './cost.ts';
import { benchDossier } from './dossier.ts';
import { benchIngest } from './ingest.ts';
import { benchRestoreArchive } from './restore-archive.ts';
import { benchRules } from './rules.ts';
import { benchSla } from './sla.ts';
import type { BenchResult } from './types.ts';
import { benchVerifyWorkflow } from './verify-workflow.ts';
import { benchWeb } from './web.ts';

const only = process.argv[2];
const benches: Array<[string, () => Promise<BenchResult>]> = [
  ['rules', benchRules],
  ['ingest', benchIngest],
  ['verify-workflow', benchVerifyWorkflow],
  ['audit', benchAudit],
  ['restore-archive', benchRestoreArchive],
  ['dossier', benchDossier],
  ['api', benchApi],
  ['web', benchWeb],
  ['sla', benchSla],
  ['cost', benchCost],
];

let failed = 0;
for (const [name, run] of benches) {
  if (only && only !== name) continue;
  const result = await run();
  console.log(`\n== ${result.name} ${result.ok ? '(target met)' : '(TARGET MISSED)'}`);
  for (const line of result.lines) console.log(`   ${line}`);
  if (!result.ok) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
