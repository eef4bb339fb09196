/** Reversibility-export step Gather (one branch per part) (statemachines/reversibility-export.asl.json): calls gatherPart and returns its small JSON. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type GatherInput, gatherPart } from '#core/use-cases/dossier-export.ts';
import { metrics, withPowertools } from '#functions/shared/powertools.ts';
import { dossierDepsFromEnv } from './deps.ts';

const deps = dossierDepsFromEnv();

export const handler = withPowertools(async function gatherHandler(event: GatherInput) {
  const result = await gatherPart(deps, event);
  metrics.addMetric('dossierPartGathered', MetricUnit.Count, 1);
  return result;
});
