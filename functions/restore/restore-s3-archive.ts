/** Restore-test workflow step (statemachines/restore-test.asl.json): calls restoreS3Archive and returns its small JSON. */
import { restoreS3Archive } from '#core/use-cases/restore-test.ts';
import { stepHandler } from '#functions/shared/step-handler.ts';
import { awsRestoreTestWiring } from '#wiring/aws/restore-test.ts';

export const handler = stepHandler(awsRestoreTestWiring(), restoreS3Archive, 'restoreS3ArchiveCompleted');
