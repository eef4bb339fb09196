/**
 * The SLA statement's dependencies from the shared adapters and the dossier store, the same for
 * every flavour: the CLI and the demo (local cloud or --stack, through Platform.slaDeps) and the
 * monthly issuing Lambda (wiring/aws/sla.ts).
 */
import type { DossierStore } from '#core/dossier/ports.ts';
import type { SlaStatementDeps } from '#core/use-cases/sla-statement.ts';
import type { Adapters } from './adapters.ts';

export function slaDepsOf(
  adapters: Pick<
    Adapters,
    'strategies' | 'facts' | 'reports' | 'blobs' | 'restoreTests' | 'findings' | 'audit' | 'notifications'
  >,
  dossiers: Pick<DossierStore, 'list'>,
): SlaStatementDeps {
  return {
    strategies: adapters.strategies,
    facts: adapters.facts,
    reports: adapters.reports,
    blobs: adapters.blobs,
    restoreTests: adapters.restoreTests,
    findings: adapters.findings,
    dossiers,
    audit: adapters.audit,
    // statement-issued and level-breached go on the bus, where notifications pick them up.
    events: adapters.notifications,
  };
}
