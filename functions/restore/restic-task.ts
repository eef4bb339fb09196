/**
 * Entry of the restic Fargate task (RestoreRestic, `ecs:runTask.sync`): the container command is the
 * test identity `<tenantId> <resourceId> <policyName> <scheduledAt>` (States.Array in the ASL). It
 * runs the same use case as the local runner and writes restore.json; the exit code tells Step
 * Functions whether the task itself worked (the checks' verdicts are in the artefact).
 * Run as: node restic-task.mjs <tenantId> <resourceId> <policyName> <scheduledAt>
 */
import { restoreRestic, restoreStateFromCommand } from '#core/use-cases/restore-test.ts';
import { describeError, logger } from '#functions/shared/powertools.ts';
import { awsRestoreTestWiring } from '#wiring/aws/restore-test.ts';

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const state = restoreStateFromCommand([...argv]);
    await restoreRestic(awsRestoreTestWiring().forTenant(state.tenantId), state);
    return 0;
  } catch (error) {
    logger.error('restic restore task failed', { error: describeError(error) });
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
