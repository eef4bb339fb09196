/** Reversibility-export step Audit (statemachines/reversibility-export.asl.json): calls auditDossier and returns its small JSON. */
import { auditDossier } from '#core/use-cases/dossier-export.ts';
import { stepHandler } from '#functions/shared/step-handler.ts';
import { awsDossierWiring } from '#wiring/aws/dossier.ts';

export const handler = stepHandler(awsDossierWiring(), auditDossier, 'dossierAudited');
