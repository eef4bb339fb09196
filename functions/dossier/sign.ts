/** Reversibility-export step Sign (statemachines/reversibility-export.asl.json): calls signDossier and returns its small JSON. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type ExportContext, signDossier } from '#core/use-cases/dossier-export.ts';
import { metrics, withPowertools } from '#functions/shared/powertools.ts';
import { dossierDepsFromEnv } from './deps.ts';

const deps = dossierDepsFromEnv();

export const handler = withPowertools(async function signHandler(event: ExportContext) {
  const result = await signDossier(deps, event);
  metrics.addMetric('dossierSigned', MetricUnit.Count, 1);
  return result;
});
