/** Reversibility-export step Publish (statemachines/reversibility-export.asl.json): calls publishDossier and returns its small JSON. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type ExportContext, publishDossier } from '#core/use-cases/dossier-export.ts';
import { metrics, withPowertools } from '#functions/shared/powertools.ts';
import { dossierDepsFromEnv } from './deps.ts';

const deps = dossierDepsFromEnv();

export const handler = withPowertools(async function publishHandler(event: ExportContext) {
  const result = await publishDossier(deps, event);
  metrics.addMetric('dossierPublished', MetricUnit.Count, 1);
  return result;
});
