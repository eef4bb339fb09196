/** Reversibility-export step Audit (statemachines/reversibility-export.asl.json): calls auditDossier and returns its small JSON. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { auditDossier, type ExportContext } from '#core/use-cases/dossier-export.ts';
import { metrics, withPowertools } from '#functions/shared/powertools.ts';
import { dossierDepsFromEnv } from './deps.ts';

const deps = dossierDepsFromEnv();

export const handler = withPowertools(async function auditHandler(event: ExportContext) {
  const result = await auditDossier(deps, event);
  metrics.addMetric('dossierAudited', MetricUnit.Count, 1);
  return result;
});
