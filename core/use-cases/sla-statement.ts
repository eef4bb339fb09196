/**
 * Issues a tenant's SLA statement for a closed measurement period: computed from the stores
 * (sla-gather.ts → core/sla/), stored as JSON and printable HTML, signed with the audit-digest
 * signer (the same key `audit verify` trusts), and appended to the audit log as an 'sla-statement'
 * entry. Issuing again with the same facts returns the stored version; after a correction (a late
 * report, an incident's cause set to the client's) it is a new version that names what changed.
 * A period not yet over gives the standing so far: computed, never stored.
 */

import { canonicalJson } from '../audit/canonical.ts';
import { sha256Hex } from '../audit/hash.ts';
import { keyFingerprint, publicKeyFromPem } from '../audit/keyinfo.ts';
import { InternalError, NotFoundError } from '../errors.ts';
import type { ReversaEventSink } from '../events/catalogue.ts';
import type { BlobStore } from '../ports.ts';
import { slaEvents } from '../sla/events.ts';
import { renderStatementHtml } from '../sla/html.ts';
import { currencyOf, formatMoney } from '../sla/money.ts';
import { computeStatement } from '../sla/statement.ts';
import { levelSummaries } from '../sla/summary.ts';
import type { SlaSoFar, SlaStatement } from '../sla/types.ts';

export type { SlaSoFar } from '../sla/types.ts';

import { recordInAuditLog } from './audit-trail.ts';
import { currentSlaPeriod, gatherSlaInput, type SlaGatherDeps, slaPeriod, slaTenant } from './sla-gather.ts';

export interface SlaStatementDeps extends SlaGatherDeps {
  blobs: Pick<BlobStore, 'getText' | 'putText' | 'list'>;
  /** Where the statement-issued and level-breached events go (the notification outbox), when wired. */
  events?: ReversaEventSink;
}

/** A stored version: the statement and what makes it that version. */
export interface IssuedStatement {
  version: number;
  tenantId: string;
  period: string;
  issuedAt: string;
  issuedBy: string;
  /** Hex SHA-256 of the statement's canonical JSON (what is signed). */
  statementSha256: string;
  /** Base64 DER ECDSA signature over the canonical JSON, by the audit signing key. */
  signature: string;
  signerFingerprint: string;
  supersedes?: number;
  /** What differs from the previous version, one line each. */
  changes: string[];
  auditSeq: number;
  jsonKey: string;
  htmlKey: string;
  statement: SlaStatement;
}

export interface StatementResult {
  /** False for the standing so far of a period not yet over (nothing stored). */
  issued: boolean;
  /** False when the same statement was already stored: the existing version is returned. */
  created: boolean;
  statement: SlaStatement;
  html: string;
  record?: IssuedStatement;
}

export const slaKeys = {
  prefix: (tenantId: string, period: string) => `sla/${tenantId}/${period}/`,
  json: (tenantId: string, period: string, version: number) => `sla/${tenantId}/${period}/v${version}.json`,
  html: (tenantId: string, period: string, version: number) => `sla/${tenantId}/${period}/v${version}.html`,
};

const MAX_STATEMENT_BYTES = 64 * 1024 * 1024;

export async function slaStatement(
  deps: SlaStatementDeps,
  input: { tenantId: string; period: string; now: number; issuedBy: string },
): Promise<StatementResult> {
  const tenant = await slaTenant(deps, input.tenantId);
  const period = slaPeriod(input.period, tenant.doc, tenant.contract);
  const asOf = Math.min(input.now, period.to);
  const statement = computeStatement(await gatherSlaInput(deps, tenant, input.tenantId, period, asOf));
  if (input.now < period.to) {
    return {
      issued: false,
      created: false,
      statement,
      html: renderStatementHtml(statement, { provisional: true }),
    };
  }
  return issue(deps, statement, input);
}

/** The current period's standing so far (for `status`): never stored. */
export async function slaStanding(deps: SlaGatherDeps, tenantId: string, now: number): Promise<SlaStatement> {
  const tenant = await slaTenant(deps, tenantId);
  const period = currentSlaPeriod(now, tenant.doc, tenant.contract);
  return computeStatement(await gatherSlaInput(deps, tenant, tenantId, period, now));
}

/** The standing so far, summarised; null when the tenant's strategy declares no contract. */
export async function slaSoFar(deps: SlaGatherDeps, tenantId: string, now: number): Promise<SlaSoFar | null> {
  let s: SlaStatement;
  try {
    s = await slaStanding(deps, tenantId, now);
  } catch (error) {
    if (error instanceof NotFoundError && error.code === 'NoContract') return null;
    throw error;
  }
  return {
    period: s.period.label,
    measuredTo: s.measuredTo,
    contract: s.contract.reference,
    currency: s.contract.currency,
    levels: levelSummaries(s),
    total: s.total,
    capApplied: s.cap?.applied ?? false,
  };
}

/** Stored versions of a period, oldest first. */
export async function statementVersions(
  deps: Pick<SlaStatementDeps, 'blobs'>,
  tenantId: string,
  period: string,
): Promise<number[]> {
  const keys = await deps.blobs.list(slaKeys.prefix(tenantId, period));
  return keys
    .map((k) => /\/v(\d+)\.json$/.exec(k)?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

export async function readStatement(
  deps: Pick<SlaStatementDeps, 'blobs'>,
  tenantId: string,
  period: string,
  version: number,
): Promise<IssuedStatement> {
  return JSON.parse(
    await deps.blobs.getText(slaKeys.json(tenantId, period, version), MAX_STATEMENT_BYTES),
  ) as IssuedStatement;
}

async function issue(
  deps: SlaStatementDeps,
  statement: SlaStatement,
  input: { tenantId: string; period: string; now: number; issuedBy: string },
): Promise<StatementResult> {
  const { tenantId } = input;
  const period = statement.period.label;
  const statementSha256 = sha256Hex(canonicalJson(statement));
  const versions = await statementVersions(deps, tenantId, period);
  const last = versions.at(-1);
  const previous = last === undefined ? undefined : await readStatement(deps, tenantId, period, last);
  if (previous && previous.statementSha256 === statementSha256) {
    return { issued: true, created: false, statement, html: htmlOf(previous), record: previous };
  }
  const signer = deps.audit.signer;
  if (!signer) throw new InternalError('AuditSignerMissing', 'issuing an SLA statement needs the audit signer');
  const canonical = canonicalJson(statement);
  const [signatureBytes, pem] = await Promise.all([signer.sign(Buffer.from(canonical, 'utf8')), signer.publicKeyPem()]);
  const version = (last ?? 0) + 1;
  const changes = previous ? changesBetween(previous.statement, statement) : [];
  const jsonKey = slaKeys.json(tenantId, period, version);
  const htmlKey = slaKeys.html(tenantId, period, version);
  const issuedAt = new Date(input.now).toISOString();
  const signerFingerprint = keyFingerprint(publicKeyFromPem(pem, '<audit signer>'));
  const logged = await recordInAuditLog(
    deps.audit,
    tenantId,
    {
      type: 'sla-statement',
      record: { statementSha256, version, period, tenantId },
      summary: {
        period,
        version,
        statementSha256,
        contract: statement.contract.reference,
        total: statement.total,
        currency: statement.contract.currency,
        breached: statement.levels.filter((l) => !l.met).map((l) => l.id),
        jsonKey,
        issuedBy: input.issuedBy,
        ...(previous
          ? { supersedes: previous.version, changes: changes.slice(0, 10).map((c) => c.slice(0, 200)) }
          : {}),
      },
      time: input.now,
    },
    { once: `sla-statement:${period}:v${version}:${statementSha256.slice(0, 16)}`, now: input.now },
  );
  const record: IssuedStatement = {
    version,
    tenantId,
    period,
    issuedAt,
    issuedBy: input.issuedBy,
    statementSha256,
    signature: Buffer.from(signatureBytes).toString('base64'),
    signerFingerprint,
    ...(previous ? { supersedes: previous.version } : {}),
    changes,
    auditSeq: logged.seq,
    jsonKey,
    htmlKey,
    statement,
  };
  const html = htmlOf(record);
  await deps.blobs.putText(htmlKey, html, 'text/html; charset=utf-8');
  // The JSON last: its presence is what makes the version exist for the next issue.
  await deps.blobs.putText(jsonKey, `${JSON.stringify(record, null, 2)}\n`, 'application/json');
  if (deps.events) {
    for (const event of slaEvents(statement, {
      version,
      statementSha256,
      jsonKey,
      htmlKey,
      auditSeq: logged.seq,
      issuedAt,
    }))
      await deps.events.emit(event);
  }
  return { issued: true, created: true, statement, html, record };
}

function htmlOf(r: IssuedStatement): string {
  return renderStatementHtml(r.statement, {
    version: r.version,
    issuedAt: r.issuedAt,
    statementSha256: r.statementSha256,
    signerFingerprint: r.signerFingerprint,
    changes: r.changes,
  });
}

/** What a re-issue changed: per level achieved, breaches and penalty; then the total. */
export function changesBetween(before: SlaStatement, after: SlaStatement): string[] {
  const money = (minor: number) => formatMoney(minor, currencyOf(after.contract.currency));
  const out: string[] = [];
  const old = new Map(before.levels.map((l) => [l.id, l]));
  for (const l of after.levels) {
    const o = old.get(l.id);
    if (!o) {
      out.push(`${l.id}: new level`);
      continue;
    }
    old.delete(l.id);
    const diffs: string[] = [];
    if (o.achieved !== l.achieved) diffs.push(`achieved ${o.achieved}% → ${l.achieved}%`);
    if (o.met !== l.met) diffs.push(l.met ? 'now met' : 'now missed');
    if (o.breachCount !== l.breachCount) diffs.push(`breaches ${o.breachCount} → ${l.breachCount}`);
    if (o.penalty !== l.penalty) diffs.push(`penalty ${money(o.penalty)} → ${money(l.penalty)}`);
    if (diffs.length > 0) out.push(`${l.id}: ${diffs.join(', ')}`);
  }
  for (const id of old.keys()) out.push(`${id}: no longer measured`);
  if (before.total !== after.total) out.push(`total ${money(before.total)} → ${money(after.total)}`);
  if (out.length === 0) out.push('evidence changed (same levels, penalties and total)');
  return out;
}
