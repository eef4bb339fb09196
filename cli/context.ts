/**
 * Where a CLI command runs: the embedded local cloud (default) or a deployed stack (`--stack`).
 * Both are a Platform from the wiring layer, so every command is written once.
 */
import type { Platform } from '#wiring/platform.ts';
import { writeError } from './output.ts';

export type { ExportRun, VerifyRun } from '#wiring/platform.ts';
export type CliContext = Platform;

export async function openContext(options: {
  stack?: string | undefined;
  region?: string | undefined;
}): Promise<CliContext> {
  if (options.stack) {
    // Loaded only with --stack, so local runs never load the deployed mode's SDK clients.
    const { openAwsPlatform } = await import('#wiring/aws/platform.ts');
    return openAwsPlatform(options.stack, options.region);
  }
  const { openLocalPlatform } = await import('#wiring/local/platform.ts');
  const { describeHolder } = await import('#local/home-lock.ts');
  return openLocalPlatform({
    lock: {
      onWait: (holder) => writeError(`waiting for ${describeHolder(holder)}, which uses this Reversa home…`),
    },
    onNotifyError: (error) => writeError(`notification delivery failed: ${(error as Error).message}`),
  });
}
