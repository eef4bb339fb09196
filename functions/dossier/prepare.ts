/** Reversibility-export step Prepare (statemachines/reversibility-export.asl.json): calls prepareExport and returns its small JSON. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type PrepareInput, prepareExport } from '#core/use-cases/dossier-export.ts';
import { metrics, withPowertools } from '#functions/shared/powertools.ts';
import { dossierDepsFromEnv } from './deps.ts';

const deps = dossierDepsFromEnv();

export const handler = withPowertools(async function prepareHandler(event: PrepareInput) {
  const result = await prepareExport(deps, event);
  metrics.addMetric('dossierExportStarted', MetricUnit.Count, 1);
  return result;
});
