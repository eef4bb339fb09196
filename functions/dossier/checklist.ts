/** Reversibility-export step Checklist (statemachines/reversibility-export.asl.json): calls checkDossier and returns its small JSON. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { checkDossier, type ExportContext } from '#core/use-cases/dossier-export.ts';
import { metrics, withPowertools } from '#functions/shared/powertools.ts';
import { dossierDepsFromEnv } from './deps.ts';

const deps = dossierDepsFromEnv();

export const handler = withPowertools(async function checklistHandler(event: ExportContext) {
  const result = await checkDossier(deps, event);
  metrics.addMetric('dossierChecklistPassed', MetricUnit.Count, 1);
  return result;
});
