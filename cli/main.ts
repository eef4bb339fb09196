import { formatProblem, ReversaError, ValidationError } from '#core/errors.ts';
import { runCommand } from './commands/index.ts';
import { writeError, writeJson } from './output.ts';

/**
 * Exit codes (a contract for scripts, documented in README):
 * 0 compliant / ok, 1 non-compliant (or a failed check), 2 invalid input or usage, 3 internal error.
 */
export const EXIT = { OK: 0, NON_COMPLIANT: 1, INVALID: 2, INTERNAL: 3 } as const;

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  try {
    return await runCommand(argv);
  } catch (err) {
    return reportError(err, json);
  }
}

function reportError(err: unknown, json: boolean): number {
  if (err instanceof ValidationError) {
    if (json) writeJson({ error: err.name, code: err.code, problems: err.problems });
    else for (const p of err.problems) writeError(formatProblem(p));
    return EXIT.INVALID;
  }
  if (err instanceof ReversaError && err.name === 'NotFoundError') {
    if (json) writeJson({ error: err.name, code: err.code, message: err.message });
    else writeError(err.message);
    return EXIT.INVALID;
  }
  const name = err instanceof Error ? err.name : 'Error';
  const message = err instanceof Error ? err.message : String(err);
  if (json) writeJson({ error: name, message });
  else writeError(`internal error (${name}): ${message}`);
  if (process.env.REVERSA_DEBUG && err instanceof Error && err.stack) writeError(err.stack);
  return EXIT.INTERNAL;
}

// An error no command caught (an emulator failing in the background, say) is still Reversa's own
// fault: reported once like the others and exit 3, never Node's default exit 1 ("non-compliant").
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => {
    process.exit(reportError(error, process.argv.includes('--json')));
  });
}

process.exitCode = await main(process.argv.slice(2));
