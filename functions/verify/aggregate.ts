/** Verify workflow step (statemachines/verify-backups.asl.json): calls aggregate and returns its small JSON. */
import { aggregate } from '#core/use-cases/verify.ts';
import { stepHandler } from '#functions/shared/step-handler.ts';
import { awsVerifyWiring } from '#wiring/aws/verify.ts';

export const handler = stepHandler(awsVerifyWiring(), aggregate, 'aggregateCompleted');
