/**
 * The SLA events, as the contract layer (the monthly statement) emits them through a
 * ReversaEventSink: their names are in the catalogue, their ids are fixed here so that a statement
 * computed again for the same period and version tells the same events (delivery recognises them),
 * and a re-issued version tells its own.
 */
import type { EventSeverity, ReversaEvent } from './catalogue.ts';

export interface StatementRef {
  tenantId: string;
  /** `2026-11` or `2026-Q4`. */
  period: string;
  /** The statement's version (1, then 2… for re-issues after a correction). */
  version: number;
  /** ISO-8601: when it was issued. */
  issuedAt: string;
}

const base = (s: StatementRef) => `${s.tenantId}:sla:${s.period}:v${s.version}`;

/** One level missed in the period; severity `high` unless the caller knows better (a penalty tier, say). */
export function slaLevelBreachedEvent(
  s: StatementRef,
  level: { id: string; target: string; achieved: string; penalty?: string },
  severity: EventSeverity = 'high',
): ReversaEvent {
  return {
    id: `${base(s)}:${level.id}:reversa.sla.level-breached`,
    type: 'reversa.sla.level-breached',
    tenantId: s.tenantId,
    time: s.issuedAt,
    severity,
    subject: `${s.period} ${level.id}`,
    summary: `${s.period}: service level ${level.id} breached (achieved ${level.achieved}, target ${level.target})${level.penalty ? `, penalty ${level.penalty}` : ''}`,
    data: {
      period: s.period,
      version: s.version,
      levelId: level.id,
      target: level.target,
      achieved: level.achieved,
      ...(level.penalty ? { penalty: level.penalty } : {}),
    },
  };
}

/** The statement itself; `breached` levels make it `medium`, none `info`. */
export function slaStatementIssuedEvent(s: StatementRef, summary: { breached: number; total: string }): ReversaEvent {
  return {
    id: `${base(s)}:reversa.sla.statement-issued`,
    type: 'reversa.sla.statement-issued',
    tenantId: s.tenantId,
    time: s.issuedAt,
    severity: summary.breached > 0 ? 'medium' : 'info',
    subject: `${s.period} v${s.version}`,
    summary: `SLA statement ${s.period} v${s.version} issued: ${summary.breached} level(s) breached, penalties ${summary.total}`,
    data: { period: s.period, version: s.version, breached: summary.breached, total: summary.total },
  };
}
