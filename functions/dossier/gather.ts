/** Reversibility-export step Gather (one branch per part) (statemachines/reversibility-export.asl.json): calls gatherPart and returns its small JSON. */
import { gatherPart } from '#core/use-cases/dossier-export.ts';
import { stepHandler } from '#functions/shared/step-handler.ts';
import { awsDossierWiring } from '#wiring/aws/dossier.ts';

export const handler = stepHandler(awsDossierWiring(), gatherPart, 'dossierPartGathered');
