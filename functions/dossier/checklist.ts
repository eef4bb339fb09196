/** Reversibility-export step Checklist (statemachines/reversibility-export.asl.json): calls checkDossier and returns its small JSON. */
import { checkDossier } from '#core/use-cases/dossier-export.ts';
import { stepHandler } from '#functions/shared/step-handler.ts';
import { awsDossierWiring } from '#wiring/aws/dossier.ts';

export const handler = stepHandler(awsDossierWiring(), checkDossier, 'dossierChecklistPassed');
