/**
 * What every export step shares: checking the context it was handed (untrusted: the execution input
 * can be forged), reading the run's plan and records with a size bound, staging generated documents
 * at their payload path, and the deterministic execution name.
 */

import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { exportKeys } from '../../dossier/assemble-sources.ts';
import type { TextSink } from '../../dossier/contents/catalogue.ts';
import type { DossierVersion } from '../../dossier/ports.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { TENANT_ID_PATTERN } from '../../strategy/schema.ts';
import type { DossierDeps } from '../dossier-deps.ts';
import type { ExportContext, ExportPlan } from './shapes.ts';

const MAX_PLAN_BYTES = 1024 * 1024;
export const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;
export const DAY = 86_400_000;
const EXPORT_ID = /^[A-Za-z0-9_-]{1,80}$/;
const COPY_CONCURRENCY = 8;

export function badInput(path: string, message: string): ValidationError {
  return new ValidationError('InvalidExportInput', [{ file: '<export input>', path, message }]);
}

export function checkContext(ctx: { tenantId: string; exportId: string }): void {
  if (typeof ctx.tenantId !== 'string' || !TENANT_ID_PATTERN.test(ctx.tenantId)) {
    throw badInput('tenantId', 'expected lowercase letters, digits and dashes (at most 63)');
  }
  if (typeof ctx.exportId !== 'string' || !EXPORT_ID.test(ctx.exportId)) {
    throw badInput('exportId', 'expected 1-80 letters, digits, "-" or "_"');
  }
}

/** `20260310T1205Z`: the minute slot of a request. */
function minuteSlot(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace(/[-:]/g, '').concat('Z');
}

/**
 * The execution name (and exportId): deterministic from tenant and the requested minute, so a
 * request delivered twice starts one execution. Step Functions names are at most 80 characters.
 */
export function exportExecutionName(tenantId: string, requestedAt: number): string {
  return `dossier-${tenantId}-${minuteSlot(requestedAt)}`.slice(0, 80);
}

export async function readJson<T>(deps: DossierDeps, key: string): Promise<T> {
  return JSON.parse((await deps.objects.getBytes(key, MAX_PLAN_BYTES)).toString('utf8')) as T;
}

export async function readPlan(deps: DossierDeps, ctx: { tenantId: string; exportId: string }): Promise<ExportPlan> {
  checkContext(ctx);
  return readJson<ExportPlan>(deps, exportKeys.plan(ctx.tenantId, ctx.exportId));
}

/** The run's plan, or undefined before Prepare wrote one (a retried Prepare, an Abort after an early failure). */
export async function readPlanIfAny(
  deps: DossierDeps,
  ctx: { tenantId: string; exportId: string },
): Promise<ExportPlan | undefined> {
  return readPlan(deps, ctx).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
}

export async function stage(
  deps: DossierDeps,
  ctx: ExportContext,
  path: string,
  body: string | Uint8Array,
): Promise<number> {
  const contentType = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream';
  await deps.objects.put(exportKeys.staged(ctx.tenantId, ctx.exportId, path), body, contentType);
  return typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
}

/** A TextSink over a streaming upload, honouring backpressure. */
export function textSink(stream: Writable, counter: { bytes: number }): TextSink {
  return {
    async write(chunk: string) {
      counter.bytes += Buffer.byteLength(chunk);
      if (!stream.write(chunk)) await once(stream, 'drain');
    },
  };
}

export async function forEachLimit<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(COPY_CONCURRENCY, items.length) }, worker));
}

/** The context handed to the next state: its four keys only, whatever else the input carried. */
export function nextContext(ctx: ExportContext): ExportContext {
  return { tenantId: ctx.tenantId, exportId: ctx.exportId, version: ctx.version, planKey: ctx.planKey };
}

/**
 * The version this export already published, if it got that far before dying: a re-run must not
 * rebuild it (the escrow's ciphertext, hence the zip's bytes, would differ from the published
 * checksum), so every later step leaves a published version alone.
 */
export async function publishedByThisExport(
  deps: DossierDeps,
  ctx: { tenantId: string; exportId: string; version?: number },
): Promise<DossierVersion | undefined> {
  if (ctx.version !== undefined) {
    const v = await deps.dossiers.getVersion(ctx.tenantId, ctx.version);
    return v?.exportId === ctx.exportId ? v : undefined;
  }
  return (await deps.dossiers.list(ctx.tenantId, 20)).find((v) => v.exportId === ctx.exportId);
}
