/**
 * The events an issued statement gives the notification layer (core/events/catalogue.ts): one
 * `reversa.sla.statement-issued`, and one `reversa.sla.level-breached` per level not met. Ids are
 * deterministic per statement version and level, so a retried issue emits the same events.
 */
import type { ReversaEvent } from '../events/catalogue.ts';
import { currencyOf, formatMoney } from './money.ts';
import type { SlaStatement } from './types.ts';

export interface IssuedStatementRef {
  version: number;
  statementSha256: string;
  /** BlobStore keys of the JSON and HTML. */
  jsonKey: string;
  htmlKey: string;
  auditSeq: number;
  issuedAt: string;
}

export function slaEvents(statement: SlaStatement, ref: IssuedStatementRef): ReversaEvent[] {
  const money = (minor: number) => formatMoney(minor, currencyOf(statement.contract.currency));
  const base = `sla:${statement.tenantId}:${statement.period.label}:v${ref.version}`;
  const missed = statement.levels.filter((l) => !l.met);
  const issued: ReversaEvent = {
    id: base,
    type: 'reversa.sla.statement-issued',
    tenantId: statement.tenantId,
    time: ref.issuedAt,
    severity: missed.length > 0 ? 'medium' : 'info',
    subject: `${statement.period.label} v${ref.version}`,
    summary: `SLA statement ${statement.period.label} v${ref.version}: ${missed.length} level(s) missed, penalty ${money(statement.total)}`,
    data: {
      period: statement.period.label,
      version: ref.version,
      total: statement.total,
      currency: statement.contract.currency,
      breached: missed.map((l) => l.id),
      statementSha256: ref.statementSha256,
      jsonKey: ref.jsonKey,
      htmlKey: ref.htmlKey,
      auditSeq: ref.auditSeq,
    },
  };
  const breached = missed.map(
    (l): ReversaEvent => ({
      id: `${base}:${l.id}`,
      type: 'reversa.sla.level-breached',
      tenantId: statement.tenantId,
      time: ref.issuedAt,
      severity: 'high',
      subject: l.id,
      summary: `${l.title} ${l.achieved}% below target ${l.target}% in ${statement.period.label} (${l.breachCount} breach(es), ${money(l.penalty)})`,
      data: {
        period: statement.period.label,
        level: l.id,
        achieved: l.achieved,
        target: l.target,
        breaches: l.breachCount,
        penalty: l.penalty,
        version: ref.version,
      },
    }),
  );
  return [issued, ...breached];
}
