/** Reversibility-export step Publish (statemachines/reversibility-export.asl.json): calls publishDossier and returns its small JSON. */
import { publishDossier } from '#core/use-cases/dossier-export.ts';
import { stepHandler } from '#functions/shared/step-handler.ts';
import { awsDossierWiring } from '#wiring/aws/dossier.ts';

export const handler = stepHandler(awsDossierWiring(), publishDossier, 'dossierPublished');
