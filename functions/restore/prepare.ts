/** Restore-test workflow step (statemachines/restore-test.asl.json): calls prepare and returns its small JSON. */
import { prepare } from '#core/use-cases/restore-test.ts';
import { stepHandler } from '#functions/shared/step-handler.ts';
import { awsRestoreTestWiring } from '#wiring/aws/restore-test.ts';

export const handler = stepHandler(awsRestoreTestWiring(), prepare, 'prepareCompleted');
