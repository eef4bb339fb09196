/**
 * VerifyStarter for the local cloud: runs statemachines/verify-backups.asl.json in-process. Like
 * Step Functions, an execution name runs at most once (remembered in memory, and across restarts
 * through the run's plan blob, which only exists once an execution with that name has started).
 */

import type { VerifyStarter } from '#core/ports.ts';
import { planKeyOf, runIdFor } from '#core/use-cases/verify.ts';
import { type ExecutionResult, type RunVerifyDeps, runVerify } from '#local/asl-runner.ts';

export interface LocalVerifyStarterOptions {
  /** Zero retry intervals (tests). Default false. */
  zeroWaits?: boolean;
  /** Called with each finished execution (the CLI prints it, tests assert on it). */
  onResult?: (name: string, result: ExecutionResult) => void;
}

export class LocalVerifyStarter implements VerifyStarter {
  private readonly names = new Set<string>();
  readonly results: { name: string; result: ExecutionResult }[] = [];

  constructor(
    private readonly deps: RunVerifyDeps,
    private readonly options: LocalVerifyStarterOptions = {},
  ) {}

  /** Runs the execution to completion before resolving: locally there is nothing to wait for in the background. */
  async start(input: { tenantId: string; at?: string; reason: string }, name: string): Promise<{ started: boolean }> {
    if (this.names.has(name)) return { started: false };
    this.names.add(name);
    if (await this.deps.blobs.exists(planKeyOf(input.tenantId, runIdFor(input.tenantId, 0, name)))) {
      return { started: false };
    }
    const result = await runVerify(this.deps, input, {
      executionName: name,
      ...(this.options.zeroWaits === undefined ? {} : { zeroWaits: this.options.zeroWaits }),
    });
    this.results.push({ name, result });
    this.options.onResult?.(name, result);
    return { started: true };
  }
}
