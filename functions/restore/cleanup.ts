/** Restore-test workflow step (statemachines/restore-test.asl.json): calls cleanup and returns its small JSON. */
import { cleanup } from '#core/use-cases/restore-test.ts';
import { stepHandler } from '#functions/shared/step-handler.ts';
import { awsRestoreTestWiring } from '#wiring/aws/restore-test.ts';

export const handler = stepHandler(awsRestoreTestWiring(), cleanup, 'cleanupCompleted');
