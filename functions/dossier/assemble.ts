/** Reversibility-export step Assemble (statemachines/reversibility-export.asl.json): calls assembleAndUpload and returns its small JSON. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { assembleAndUpload, type ExportContext } from '#core/use-cases/dossier-export.ts';
import { metrics, withPowertools } from '#functions/shared/powertools.ts';
import { dossierDepsFromEnv } from './deps.ts';

const deps = dossierDepsFromEnv();

export const handler = withPowertools(async function assembleHandler(event: ExportContext) {
  const result = await assembleAndUpload(deps, event);
  metrics.addMetric('dossierAssembled', MetricUnit.Count, 1);
  return result;
});
