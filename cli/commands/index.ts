import { usageError } from '../args.ts';
import { write } from '../output.ts';
import { auditCommand } from './audit.ts';
import { dossierCommand } from './dossier.ts';
import { escrowCommand } from './escrow.ts';
import { findingCommand, incidentCommand } from './incident.ts';
import { ingestCommand } from './ingest.ts';
import { localCommand } from './local.ts';
import { notifyCommand } from './notify.ts';
import { reportCommand } from './report.ts';
import { restoreTestCommand } from './restore-test.ts';
import { secretCommand } from './secret.ts';
import { serveCommand } from './serve.ts';
import { slaCommand } from './sla.ts';
import { statusCommand } from './status.ts';
import { strategyCommand } from './strategy.ts';
import { sweepCommand } from './sweep.ts';
import { userCommand } from './user.ts';
import { verifyCommand } from './verify.ts';

export const HELP = `reversa — proves backup strategies, restores and reversibility, per client

Usage:
  reversa strategy validate <file>                 check a strategy; every problem with file:line:column
  reversa strategy apply <file> [--author <who>]   store a new immutable strategy version
  reversa strategy show --tenant <id> [--version N]
  reversa ingest <file|dir> --tenant <id>          ingest job reports (generic JSON, restic, pgBackRest)
  reversa verify --tenant <id> [--at <time>]       run the verify workflow, print the verdicts
  reversa report --tenant <id> [--format table|json|html] [--out <file>]
  reversa status                                   every tenant's compliance at a glance
  reversa sweep [--at <time>]                      run the missed-backup deadline sweep once
  reversa audit export --tenant <id> --out <dir>   the tenant's tamper-evident log, signed, for an auditor
  reversa audit verify <dir> --public-key <pem> [--sealed-head <seq>:<sha256>]
                                                  verify an exported log offline: every entry signed, ending at the
                                                  head its signed manifest names (or --tenant <id> [--seal]: the live one)
  reversa restore-test run --tenant <id> [--resource <id>] [--at <time>]   restore, read back, check, clean up, record
  reversa restore-test list --tenant <id> [--resource <id>] [--limit N]
  reversa restore-test show <test-id> --tenant <id>   the evidence record
  reversa report --tenant <id> --period <2026|2026-Q3|2026-09> [--format html|json] [--out <file>]   auditor report
  reversa sla statement --tenant <id> --period <2026-11|2026-Q4> [--format table|json|html] [--out <file>] [--at <time>]
                                                  the SLA statement: levels, breaches with evidence, penalties, cap;
                                                  issued (stored, signed, audit-logged) once the period is over
  reversa secret put --tenant <id> --name <name> < value   local secret store (encrypted at rest)
  reversa incident list --tenant <id> [--state open|acknowledged|resolved|closed] [--source restore-test|verification]
  reversa incident show <id> --tenant <id>          an incident with its timeline
  reversa incident ack|resolve|reopen <id> --tenant <id> [--note <text>]
  reversa incident close <id> --tenant <id> --root-cause <text> --corrective-action <text> [--cause provider|client|third-party|unknown]
  reversa finding list|update …                    older names of incident list and update (--close, --reopen)
  reversa notify add --tenant <id> (--webhook <url> [--secret-stdin] | --slack <url> | --email <addr>) [--id <name>] [--events <type,…>] [--min-severity <s>]
  reversa notify list|test|log --tenant <id> | notify remove <id> --tenant <id>   subscriptions, a test delivery, the delivery log
  reversa dossier export --tenant <id> [--out <dir>] [--recipient <age1…>[,…] [--custodian <age1…> … --threshold k] [--break-glass <age1…>] --approval <seq>]
  reversa dossier approve-recipients --tenant <id> --recipient <age1…> [--expires 24h]   a second person approves an override
  reversa dossier link --tenant <id> [--version N] [--expires 72h]   presigned download link (≤ 7 days), audit-logged
  reversa dossier verify <zip> [--fingerprint <sha256>]   every stock check plus BagIt completeness
  reversa dossier download <url|s3-uri> [-o file] [--sha256 <hex>]   resumable, checked download
  reversa escrow open <zip> -i <identity> [--share <file> …] [--out <dir>]   open the credentials escrow

  reversa local up [--dynamodb-port N] [--s3-port N]   long-running local cloud with the schedules (sweep, restore tests, inbox)
  reversa serve [--port 8787]                      the portal (API under /v1 + web app) on the local cloud
  reversa user add --email <e> --role <role> [--tenant <id> …] [--expires 30d] --password-stdin
  reversa user list | user remove --email <e>      portal users (local identity provider, or Cognito with --stack)

Global options:
  --json                  machine-readable output on stdout
  --stack <name>          use a deployed stack (AWS credentials from the usual chain) instead of the local cloud
  --region <region>       region of that stack
  -h, --help              this help

Exit codes: 0 compliant/ok, 1 non-compliant, 2 invalid input or usage, 3 internal error.
Local cloud data lives in $REVERSA_HOME (default .reversa/ in the current directory).`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  strategy: strategyCommand,
  ingest: ingestCommand,
  verify: verifyCommand,
  report: reportCommand,
  status: statusCommand,
  sweep: sweepCommand,
  audit: auditCommand,
  dossier: dossierCommand,
  escrow: escrowCommand,
  finding: findingCommand,
  incident: incidentCommand,
  'restore-test': restoreTestCommand,
  sla: slaCommand,
  secret: secretCommand,
  local: localCommand,
  notify: notifyCommand,
  serve: serveCommand,
  user: userCommand,
};

export async function runCommand(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    write(HELP);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) throw usageError(`unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
  return command(rest);
}
