/**
 * `reversa sla statement --tenant <id> --period <2026-11|2026-Q4>`: the tenant's SLA statement for
 * a measurement period — issued (stored, signed, audit-logged) once the period is over, the
 * standing so far before. Exit 1 when a level is missed, 2 for a bad period or an unknown tenant.
 */

import { writeFile } from 'node:fs/promises';
import { currencyOf, formatMoney } from '#core/sla/money.ts';
import { levelSummaries } from '#core/sla/summary.ts';
import type { SlaStatement } from '#core/sla/types.ts';
import { type StatementResult, slaStatement } from '#core/use-cases/sla-statement.ts';
import { parseCommand, parseTime, requireString, usageError } from '../args.ts';
import { paint, table, write, writeJson } from '../output.ts';
import { openTenantContext } from '../tenant.ts';

const FORMATS = ['table', 'json', 'html'] as const;

export async function slaCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'statement') throw usageError(`expected 'sla statement', got '${sub ?? ''}'`);
  const { values } = parseCommand(
    rest,
    {
      tenant: { type: 'string' },
      period: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      at: { type: 'string' },
    },
    0,
  );
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const period = requireString(values.period, '--period <2026-11|2026-Q4>');
  const format = values.format ?? (values.json ? 'json' : 'table');
  if (!(FORMATS as readonly string[]).includes(format))
    throw usageError(`--format expects one of ${FORMATS.join(', ')}, got '${format}'`);
  const ctx = await openTenantContext(values, tenantId);
  let result: StatementResult;
  try {
    const now = parseTime(values.at, '--at', ctx.now());
    result = await slaStatement(ctx.slaDeps(), { tenantId, period, now, issuedBy: await ctx.actor() });
  } finally {
    await ctx.close();
  }
  const text =
    format === 'html'
      ? result.html
      : format === 'json'
        ? `${JSON.stringify(fullJson(result), null, 2)}\n`
        : tableOf(result);
  if (values.out) {
    await writeFile(values.out, text);
    if (values.json) writeJson({ ...summaryJson(result), out: values.out, format });
    else write(`wrote ${values.out}`);
  } else if (values.json && format !== 'html') writeJson(format === 'json' ? fullJson(result) : summaryJson(result));
  else process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return result.statement.breached ? 1 : 0;
}

/** What scripts read: `{"tenant","period","levels":[{"id","target","achieved","met","penalty"}],"total","cap",…}`. */
function summaryJson(r: StatementResult) {
  const s = r.statement;
  return {
    tenant: s.tenantId,
    period: s.period.label,
    issued: r.issued,
    version: r.record?.version ?? null,
    currency: s.contract.currency,
    levels: levelSummaries(s),
    subtotal: s.subtotal,
    cap: s.cap?.amount ?? null,
    capApplied: s.cap?.applied ?? false,
    total: s.total,
    measuredTo: s.measuredTo,
    ...(r.record
      ? {
          statementSha256: r.record.statementSha256,
          auditSeq: r.record.auditSeq,
          jsonKey: r.record.jsonKey,
          htmlKey: r.record.htmlKey,
          changes: r.record.changes,
        }
      : {}),
  };
}

function fullJson(r: StatementResult) {
  return { ...summaryJson(r), statement: r.statement, ...(r.record ? { signature: r.record.signature } : {}) };
}

function tableOf(r: StatementResult): string {
  const s: SlaStatement = r.statement;
  const money = (minor: number) => formatMoney(minor, currencyOf(s.contract.currency));
  const head = r.issued
    ? `SLA statement ${s.period.label} v${r.record?.version} of ${s.tenantId} (${s.contract.reference})${r.created ? '' : ', already issued'}: audit seq ${r.record?.auditSeq}`
    : `SLA standing so far for ${s.period.label} of ${s.tenantId} (${s.contract.reference}), measured to ${s.measuredTo}: not issued until the period ends`;
  const rows = s.levels.map((l) => [
    l.met ? paint('green', '✓') : paint('red', '✗'),
    l.id,
    `${l.target}%`,
    `${l.achieved}%`,
    String(l.breachCount),
    money(l.penalty),
  ]);
  const lines = [head, table(['', 'level', 'target', 'achieved', 'breaches', 'penalty'], rows), ...s.formula];
  if (r.record?.changes.length)
    lines.push('changes since the previous version:', ...r.record.changes.map((c) => `  ${c}`));
  if (s.recurrences.length) lines.push(`recurring incidents: ${s.recurrences.map((x) => x.incidentId).join(', ')}`);
  lines.push(`penalty owed: ${money(s.total)}${s.cap?.applied ? ' (capped)' : ''}`);
  return `${lines.join('\n')}\n`;
}
