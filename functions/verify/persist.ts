/** Verify workflow step (statemachines/verify-backups.asl.json): calls persist and returns its small JSON. */
import { persist } from '#core/use-cases/verify.ts';
import { stepHandler } from '#functions/shared/step-handler.ts';
import { awsVerifyWiring } from '#wiring/aws/verify.ts';

export const handler = stepHandler(awsVerifyWiring(), persist, 'persistCompleted');
