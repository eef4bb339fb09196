/** Verify workflow step (statemachines/verify-backups.asl.json): calls loadStrategy and returns its small JSON. */
import { loadStrategy } from '#core/use-cases/verify.ts';
import { stepHandler } from '#functions/shared/step-handler.ts';
import { awsVerifyWiring } from '#wiring/aws/verify.ts';

export const handler = stepHandler(awsVerifyWiring(), loadStrategy, 'loadStrategyCompleted');
