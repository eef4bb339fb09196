/** Reversibility-export step Assemble (statemachines/reversibility-export.asl.json): calls assembleAndUpload and returns its small JSON. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { runningInLambda } from '#config';
import { assembleAndUpload, type ExportContext } from '#core/use-cases/dossier-export.ts';
import { metrics, withPowertools } from '#functions/shared/powertools.ts';
import { dossierDepsFromEnv } from './deps.ts';
import { tuneHeapForAssembly } from './heap-tuning.ts';

// In Lambda only: locally the handler runs inside the CLI or a test process, whose GC is not ours to tune.
if (runningInLambda()) tuneHeapForAssembly();

const deps = dossierDepsFromEnv();

export const handler = withPowertools(async function assembleHandler(event: ExportContext) {
  const result = await assembleAndUpload(deps, event);
  metrics.addMetric('dossierAssembled', MetricUnit.Count, 1);
  return result;
});
