/** Reversibility-export step Abort (statemachines/reversibility-export.asl.json): calls abortExport and returns its small JSON. */
import { abortExport } from '#core/use-cases/dossier-export.ts';
import { stepHandler } from '#functions/shared/step-handler.ts';
import { awsDossierWiring } from '#wiring/aws/dossier.ts';

export const handler = stepHandler(awsDossierWiring(), abortExport, 'dossierExportAborted');
