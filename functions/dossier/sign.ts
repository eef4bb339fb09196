/** Reversibility-export step Sign (statemachines/reversibility-export.asl.json): calls signDossier and returns its small JSON. */
import { signDossier } from '#core/use-cases/dossier-export.ts';
import { stepHandler } from '#functions/shared/step-handler.ts';
import { awsDossierWiring } from '#wiring/aws/dossier.ts';

export const handler = stepHandler(awsDossierWiring(), signDossier, 'dossierSigned');
