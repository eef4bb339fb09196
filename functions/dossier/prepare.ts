/** Reversibility-export step Prepare (statemachines/reversibility-export.asl.json): calls prepareExport and returns its small JSON. */
import { prepareExport } from '#core/use-cases/dossier-export.ts';
import { stepHandler } from '#functions/shared/step-handler.ts';
import { awsDossierWiring } from '#wiring/aws/dossier.ts';

export const handler = stepHandler(awsDossierWiring(), prepareExport, 'dossierExportStarted');
