/** Verify workflow step (statemachines/verify-backups.asl.json): calls evaluateBatch and returns its small JSON. */
import { evaluateBatch } from '#core/use-cases/verify.ts';
import { stepHandler } from '#functions/shared/step-handler.ts';
import { awsVerifyWiring } from '#wiring/aws/verify.ts';

export const handler = stepHandler(awsVerifyWiring(), evaluateBatch, 'evaluateBatchCompleted');
