import { NotFoundError } from '#core/errors.ts';
import { lifecycleOf } from '#core/incidents/lifecycle.ts';
import { INCIDENT_CAUSES, INCIDENT_SEVERITIES, INCIDENT_STATES, type IncidentState } from '#core/incidents/model.ts';
import type { FindingStatus, IncidentRecord } from '#core/restore/ports.ts';
import { changeIncident, currentIncidentPolicy, type IncidentChange } from '#core/use-cases/incidents.ts';
import { parseCommand, requireString, usageError } from '../args.ts';
import { paint, table, write, writeJson } from '../output.ts';
import { openTenantContext } from '../tenant.ts';

/**
 * Incidents: the findings of failed restore tests and serious verification findings, each with a
 * lifecycle (open → acknowledged → resolved → closed, reopen). Every change is audit-logged with
 * the acting principal. `reversa finding list|update` remain as the older names.
 */
const USAGE = `'reversa incident' needs a subcommand:
  list --tenant <id> [--state open|acknowledged|resolved|closed] [--source restore-test|verification]
  show <incident-id> --tenant <id>
  ack <incident-id> --tenant <id> [--note <text>]
  resolve <incident-id> --tenant <id> [--note <text>] [--root-cause <text>] [--corrective-action <text>] [--cause <c>]
  close <incident-id> --tenant <id> --root-cause <text> --corrective-action <text> [--cause <c>] [--note <text>]
  reopen <incident-id> --tenant <id> [--note <text>]
  update <incident-id> --tenant <id> [--root-cause …] [--corrective-action …] [--cause …] [--severity …] [--note …]`;

const TRANSITIONS: Record<string, IncidentState> = {
  ack: 'ACKNOWLEDGED',
  acknowledge: 'ACKNOWLEDGED',
  resolve: 'RESOLVED',
  close: 'CLOSED',
  reopen: 'OPEN',
};

export async function incidentCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'list') return listIncidents(rest);
  if (sub === 'show') return show(rest);
  if (sub === 'update') return change(rest, undefined);
  if (sub !== undefined && sub in TRANSITIONS) return change(rest, TRANSITIONS[sub]);
  throw usageError(USAGE);
}

/** `reversa finding …`: the names before incidents had a lifecycle. */
export async function findingCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'list') return listIncidents(rest, { legacy: true });
  if (sub === 'update') return legacyUpdate(rest);
  throw usageError(
    `'reversa finding' needs a subcommand: list --tenant <id>, update <finding-id> --tenant <id> [--root-cause …] [--corrective-action …] [--close|--reopen] (see also reversa incident)`,
  );
}

const CHANGE_OPTIONS = {
  tenant: { type: 'string' },
  note: { type: 'string' },
  'root-cause': { type: 'string' },
  'corrective-action': { type: 'string' },
  cause: { type: 'string' },
  severity: { type: 'string' },
  author: { type: 'string' },
} as const;

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  const match = allowed.find((a) => a.toLowerCase() === v);
  if (!match)
    throw usageError(`${flag} expects one of ${allowed.map((a) => a.toLowerCase()).join(', ')}, got '${value}'`);
  return match;
}

async function listIncidents(argv: string[], options: { legacy?: boolean } = {}): Promise<number> {
  const { values } = parseCommand(
    argv,
    { tenant: { type: 'string' }, status: { type: 'string' }, state: { type: 'string' }, source: { type: 'string' } },
    0,
  );
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const status = oneOf<FindingStatus>(values.status, ['OPEN', 'CLOSED'], '--status');
  const state = oneOf(values.state, INCIDENT_STATES, '--state');
  // `finding list` always meant the findings of restore tests.
  const source =
    oneOf(values.source, ['restore-test', 'verification'] as const, '--source') ??
    (options.legacy ? 'restore-test' : undefined);
  const ctx = await openTenantContext(values, tenantId);
  try {
    const all = await ctx.deps.findings.list(tenantId, {
      ...(status === undefined ? {} : { status }),
      ...(source === undefined ? {} : { source }),
    });
    const incidents = all.filter((f) => state === undefined || lifecycleOf(f).state === state);
    if (values.json) writeJson({ tenantId, [options.legacy ? 'findings' : 'incidents']: incidents.map(explicit) });
    else if (incidents.length === 0) write(`no incidents for tenant ${tenantId}`);
    else write(table(HEADERS, incidents.map(row)));
    // The exit code tells a script whether anything still needs the provider.
    if (options.legacy) return incidents.some((f) => f.status === 'OPEN') ? 1 : 0;
    return incidents.some((f) => ['OPEN', 'ACKNOWLEDGED'].includes(lifecycleOf(f).state)) ? 1 : 0;
  } finally {
    await ctx.close();
  }
}

const HEADERS = ['incident', 'state', 'severity', 'source', 'resource', 'opened', 'summary', 'root cause'];

function row(f: IncidentRecord): string[] {
  const life = lifecycleOf(f);
  const colour = life.state === 'OPEN' ? 'red' : life.state === 'ACKNOWLEDGED' ? 'yellow' : 'green';
  return [
    f.findingId,
    paint(colour, life.state) + (life.recurring ? paint('red', ' recurring') : ''),
    life.severity,
    f.source ?? 'restore-test',
    f.resourceId,
    f.openedAt,
    f.summary.length > 60 ? `${f.summary.slice(0, 59)}…` : f.summary,
    f.rootCause ? f.rootCause : '-',
  ];
}

function explicit(f: IncidentRecord) {
  return { ...f, source: f.source ?? 'restore-test', ...lifecycleOf(f) };
}

async function show(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { tenant: { type: 'string' } }, 1);
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const findingId = requireString(positionals[0], '<incident-id>');
  const ctx = await openTenantContext(values, tenantId);
  try {
    const [found, timeline] = await Promise.all([
      ctx.deps.findings.get(tenantId, findingId),
      ctx.deps.findings.timeline(tenantId, findingId),
    ]);
    if (!found) {
      throw new NotFoundError(
        'FindingNotFound',
        `no incident '${findingId}' for tenant '${tenantId}' (see reversa incident list --tenant ${tenantId})`,
      );
    }
    const f = explicit(found);
    if (values.json) {
      writeJson({ ...f, timeline });
      return 0;
    }
    const lines: [string, string | undefined][] = [
      ['incident', f.findingId],
      ['state', `${f.state}${f.recurring ? ' (recurring: the root cause was not fixed)' : ''}`],
      ['severity', f.severity],
      [
        'source',
        found.source === 'verification'
          ? `verification (${found.verificationFindingId})`
          : `restore test ${found.testId}`,
      ],
      ['resource', f.resourceId],
      ['summary', f.summary],
      ['opened', f.openedAt],
      ['acknowledged', f.acknowledgedAt],
      ['resolved', f.resolvedAt],
      ['closed', f.closedAt],
      ['cause', f.cause],
      ['root cause', f.rootCause || undefined],
      ['corrective action', f.correctiveAction || undefined],
      ['repeats', f.recurrenceOf],
    ];
    write(
      lines
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k.padEnd(18)} ${v}`)
        .join('\n'),
    );
    if (timeline.length > 0) {
      write('\ntimeline:');
      write(
        table(
          ['at', 'by', 'kind', 'what'],
          timeline.map((e) => [e.at, e.by, e.kind, e.text]),
        ),
      );
    }
    return 0;
  } finally {
    await ctx.close();
  }
}

async function change(argv: string[], to: IncidentState | undefined): Promise<number> {
  const { values, positionals } = parseCommand(argv, CHANGE_OPTIONS, 1);
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const findingId = requireString(positionals[0], '<incident-id>');
  const request: Omit<IncidentChange, 'by' | 'at'> = {
    ...(to === undefined ? {} : { to }),
    rootCause: values['root-cause'],
    correctiveAction: values['corrective-action'],
    cause: oneOf(values.cause, INCIDENT_CAUSES, '--cause'),
    severity: oneOf(values.severity, INCIDENT_SEVERITIES, '--severity'),
    note: values.note,
  };
  return applyChange(values, tenantId, findingId, request);
}

async function legacyUpdate(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    { ...CHANGE_OPTIONS, close: { type: 'boolean' }, reopen: { type: 'boolean' } },
    1,
  );
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const findingId = requireString(positionals[0], '<finding-id>');
  if (values.close && values.reopen) throw usageError('--close and --reopen are exclusive');
  const rootCause = values['root-cause'];
  const correctiveAction = values['corrective-action'];
  if (!rootCause && !correctiveAction && !values.close && !values.reopen) {
    throw usageError('nothing to update: give --root-cause, --corrective-action, --close or --reopen');
  }
  const to = values.close ? 'CLOSED' : values.reopen ? 'OPEN' : undefined;
  return applyChange(values, tenantId, findingId, { to, rootCause, correctiveAction });
}

async function applyChange(
  values: { tenant?: string; author?: string; json?: boolean; stack?: string; region?: string },
  tenantId: string,
  findingId: string,
  request: Omit<IncidentChange, 'by' | 'at'>,
): Promise<number> {
  const ctx = await openTenantContext(values, tenantId);
  try {
    const actor = await ctx.actor();
    const policy = await currentIncidentPolicy(ctx.deps.strategies, tenantId);
    const updated = await changeIncident(
      { findings: ctx.deps.findings, audit: ctx.deps.audit, events: ctx.deps.notifications },
      tenantId,
      findingId,
      { ...request, by: values.author ? `${actor} (as ${values.author})` : actor, at: ctx.now() },
      policy.recurrence,
    );
    const f = explicit(updated);
    if (values.json) writeJson(f);
    else
      write(
        `incident ${f.findingId} is ${f.state}${f.recurring ? ' (recurring)' : ''}${f.rootCause ? `; root cause: ${f.rootCause}` : ''}${f.correctiveAction ? `; corrective action: ${f.correctiveAction}` : ''}`,
      );
    return 0;
  } finally {
    await ctx.close();
  }
}
