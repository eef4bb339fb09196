/**
 * The demo's SLA step: the example contract's statement of the month just ended (issued: stored,
 * signed with the audit key, appended to the audit log) and the current month's standing so far.
 * The demo's data misses levels on purpose (restore tests that did not run or failed, a dossier
 * first published today), so both show penalties.
 */
import { currencyOf, formatMoney } from '#core/sla/money.ts';
import type { SlaStatement } from '#core/sla/types.ts';
import { currentSlaPeriod, slaTenant } from '#core/use-cases/sla-gather.ts';
import { type SlaStatementDeps, slaStatement } from '#core/use-cases/sla-statement.ts';
import { paint } from '../../cli/output.ts';

/** The lines to print, and the period issued (for the next-steps hint). */
export async function demoSlaStatements(
  deps: SlaStatementDeps,
  tenantId: string,
  now: number,
): Promise<{ lines: string[]; issuedPeriod: string }> {
  const tenant = await slaTenant(deps, tenantId);
  const current = currentSlaPeriod(now, tenant.doc, tenant.contract);
  const previous = currentSlaPeriod(current.from - 1, tenant.doc, tenant.contract);
  const issued = await slaStatement(deps, { tenantId, period: previous.label, now, issuedBy: 'demo' });
  const standing = await slaStatement(deps, { tenantId, period: current.label, now, issuedBy: 'demo' });
  const money = (s: SlaStatement, minor: number) => formatMoney(minor, currencyOf(s.contract.currency));
  const lines = [
    `statement ${previous.label} v${issued.record?.version} issued: signed, audit seq ${issued.record?.auditSeq}, sha256 ${issued.record?.statementSha256.slice(0, 16)}…`,
    ...levelLines(issued.statement),
    `penalty owed for ${previous.label}: ${paint('bold', money(issued.statement, issued.statement.total))}${
      issued.statement.cap?.applied ? ` (capped: ${issued.statement.cap.formula})` : ''
    }`,
    `standing so far for ${current.label} (not issued until the month ends): ${standing.statement.levels.filter((l) => l.met).length}/${standing.statement.levels.length} levels met, penalty ${money(standing.statement, standing.statement.total)}`,
  ];
  return { lines, issuedPeriod: previous.label };
}

function levelLines(s: SlaStatement): string[] {
  const money = (minor: number) => formatMoney(minor, currencyOf(s.contract.currency));
  return s.levels.map(
    (l) =>
      `  ${l.met ? paint('green', '✓') : paint('red', '✗')} ${l.id.padEnd(21)} ${`${l.achieved}%`.padStart(9)} of ${`${l.target}%`.padStart(6)}  ${String(l.breachCount).padStart(3)} breach(es)  ${money(l.penalty)}`,
  );
}
