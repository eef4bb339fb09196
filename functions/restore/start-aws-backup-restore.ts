/** Restore-test workflow step (statemachines/restore-test.asl.json): calls startAwsBackupRestore and returns its small JSON. */
import { startAwsBackupRestore } from '#core/use-cases/restore-test.ts';
import { stepHandler } from '#functions/shared/step-handler.ts';
import { awsRestoreTestWiring } from '#wiring/aws/restore-test.ts';

export const handler = stepHandler(awsRestoreTestWiring(), startAwsBackupRestore, 'startAwsBackupRestoreCompleted');
