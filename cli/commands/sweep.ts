import { sweep } from '#core/use-cases/sweep.ts';
import { parseCommand, parseTime, usageError } from '../args.ts';
import { openContext } from '../context.ts';
import { table, write, writeJson } from '../output.ts';

/**
 * Runs the missed-backup sweep once, as the 5-minute schedule does when deployed. `--at` lets a
 * provider replay "what would the sweep have done at 03:05".
 */
export async function sweepCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, { at: { type: 'string' } }, 0);
  const ctx = await openContext(values);
  try {
    const at = parseTime(values.at, '--at', ctx.now());
    const clock = { now: () => at };
    if (ctx.target === 'aws')
      throw usageError('reversa sweep runs on the local cloud; the deployed sweep runs every 5 minutes');
    const starter = ctx.verifyStarter(clock);
    const result = await sweep({ strategies: ctx.deps.strategies, tenants: ctx.deps.tenants, starter, clock });
    if (values.json) writeJson(result);
    else if (result.started.length === 0 && result.alreadyStarted.length === 0) {
      write(`sweep at ${new Date(at).toISOString()}: ${result.tenants} tenants, none due`);
    } else {
      write(
        table(
          ['tenant', 'reason', 'execution', 'started'],
          [
            ...result.started.map((s) => [s.tenantId, s.reason, s.name, 'yes']),
            ...result.alreadyStarted.map((s) => [s.tenantId, s.reason, s.name, 'already ran']),
          ],
        ),
      );
    }
    return 0;
  } finally {
    await ctx.close();
  }
}
