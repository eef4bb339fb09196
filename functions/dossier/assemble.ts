/** Reversibility-export step Assemble (statemachines/reversibility-export.asl.json): calls assembleAndUpload and returns its small JSON. */
import { runningInLambda } from '#config';
import { assembleAndUpload } from '#core/use-cases/dossier-export.ts';
import { stepHandler } from '#functions/shared/step-handler.ts';
import { awsDossierWiring } from '#wiring/aws/dossier.ts';
import { tuneHeapForAssembly } from './heap-tuning.ts';

// In Lambda only: locally the handler runs inside the CLI or a test process, whose GC is not ours to tune.
if (runningInLambda()) tuneHeapForAssembly();

export const handler = stepHandler(awsDossierWiring(), assembleAndUpload, 'dossierAssembled');
