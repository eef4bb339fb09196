/** Reversibility-export step Abort (statemachines/reversibility-export.asl.json): calls abortExport and returns its small JSON. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type AbortInput, abortExport } from '#core/use-cases/dossier-export.ts';
import { metrics, withPowertools } from '#functions/shared/powertools.ts';
import { dossierDepsFromEnv } from './deps.ts';

const deps = dossierDepsFromEnv();

export const handler = withPowertools(async function abortHandler(event: AbortInput) {
  const result = await abortExport(deps, event);
  metrics.addMetric('dossierExportAborted', MetricUnit.Count, 1);
  return result;
});
