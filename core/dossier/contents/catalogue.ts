/**
 * The backup catalogue of the dossier: for every declared resource, its recovery points as the
 * sources reported them, and how to restore each one with the stock tool of its source (aws CLI,
 * restic, pgbackrest). A successor must be able to restore without Reversa: the commands are
 * complete except for what only the successor knows (a restore role, a target directory).
 *
 * Written resource by resource into two text sinks (catalogue.json, catalogue.md): a tenant with
 * 10k resources and years of points never sits whole in memory.
 */
import type { BackupSource, RecoveryPoint, ResourceFacts } from '../../model.ts';
import type { FactStore } from '../../ports.ts';
import type { DeclaredResource } from '../../strategy/policy.ts';

export interface TextSink {
  write(chunk: string): void | Promise<void>;
}

export interface CataloguePoint {
  recoveryPointId: string;
  status: RecoveryPoint['status'];
  /** ISO-8601. */
  createdAt: string;
  sizeBytes?: number;
  location?: string;
  region?: string;
  accountId?: string;
  encrypted?: boolean;
  encryptionKeyId?: string;
  /** ISO-8601. */
  immutableUntil?: string;
  lockMode?: RecoveryPoint['lockMode'];
  /** ISO-8601: when the lifecycle deletes it. */
  deleteAt?: string;
  copyOf?: string;
  /** Stock-tool commands restoring this point; absent when the point cannot be restored (deleted, failed). */
  restore?: string[];
}

export interface CatalogueEntry {
  resourceId: string;
  name: string;
  source: BackupSource;
  resourceType?: string;
  declaredBy: string;
  rpo: string;
  retention: string;
  /** Newest first. */
  recoveryPoints: CataloguePoint[];
}

export interface CatalogueOptions {
  /** generic sources: the tool named in the job reports, per resource (facts do not keep it). */
  toolOf?: (resourceId: string) => string | undefined;
}

const RESTORABLE: ReadonlySet<RecoveryPoint['status']> = new Set(['AVAILABLE', 'PARTIAL']);

/** Single-quotes a shell word unless it is made only of characters every shell leaves alone. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The stock commands that restore one point, by source. Placeholders are in <angle brackets>. */
export function restoreCommands(
  source: BackupSource,
  point: RecoveryPoint,
  resource: { resourceId: string; resourceType?: string },
  options: CatalogueOptions = {},
): string[] {
  const q = shellQuote;
  switch (source) {
    case 'aws-backup': {
      const region = point.region ? ` --region ${q(point.region)}` : '';
      const vault = point.location ?? '<backup-vault-name>';
      const type = point.resourceType ?? resource.resourceType;
      return [
        `aws backup get-recovery-point-restore-metadata --backup-vault-name ${q(vault)} --recovery-point-arn ${q(point.recoveryPointId)}${region} --query RestoreMetadata > restore-metadata.json`,
        '# edit restore-metadata.json for the target (subnet, security groups, new name), then:',
        `aws backup start-restore-job --recovery-point-arn ${q(point.recoveryPointId)} --iam-role-arn <restore-role-arn> --metadata file://restore-metadata.json${type ? ` --resource-type ${q(type)}` : ''}${region}`,
        `aws backup describe-restore-job --restore-job-id <restore-job-id>${region}`,
      ];
    }
    case 'restic': {
      const repo = point.location ?? '<repository>';
      return [
        `export RESTIC_PASSWORD_FILE=<file holding the repository password, from the credentials escrow>`,
        `restic -r ${q(repo)} snapshots ${q(point.recoveryPointId)}`,
        `restic -r ${q(repo)} restore ${q(point.recoveryPointId)} --target <empty-directory>`,
      ];
    }
    case 'pgbackrest': {
      const [, stanza = '<stanza>', ...label] = point.recoveryPointId.split(':');
      const repo = /^repo([0-9]+)$/.exec(point.location ?? '')?.[1];
      const repoOption = repo ? ` --repo=${repo}` : '';
      return [
        `pgbackrest --stanza=${q(stanza)}${repoOption} info`,
        '# stop PostgreSQL and empty (or use --delta on) the data directory, then:',
        `pgbackrest --stanza=${q(stanza)}${repoOption} --set=${q(label.join(':') || '<label>')} restore`,
      ];
    }
    default: {
      const tool = options.toolOf?.(resource.resourceId) ?? 'the backup tool named in the job reports';
      const where = point.location ? ` from ${point.location}` : '';
      return [
        `# restore recovery point ${point.recoveryPointId}${where} with ${tool}, following its own restore procedure`,
      ];
    }
  }
}

export function catalogueEntry(
  resource: DeclaredResource,
  facts: ResourceFacts | undefined,
  options: CatalogueOptions = {},
): CatalogueEntry {
  const points = [...(facts?.recoveryPoints ?? [])].sort(
    (a, b) => b.createdAt - a.createdAt || (a.recoveryPointId < b.recoveryPointId ? -1 : 1),
  );
  const entry: CatalogueEntry = {
    resourceId: resource.resourceId,
    name: resource.name,
    source: resource.source,
    declaredBy: resource.declaredBy,
    rpo: resource.policy.rpo.text,
    retention: resource.policy.retention.text,
    recoveryPoints: points.map((p) => {
      const out: CataloguePoint = {
        recoveryPointId: p.recoveryPointId,
        status: p.status,
        createdAt: iso(p.createdAt)!,
      };
      if (p.sizeBytes !== undefined) out.sizeBytes = p.sizeBytes;
      if (p.location !== undefined) out.location = p.location;
      if (p.region !== undefined) out.region = p.region;
      if (p.accountId !== undefined) out.accountId = p.accountId;
      if (p.encrypted !== undefined) out.encrypted = p.encrypted;
      if (p.encryptionKeyId !== undefined) out.encryptionKeyId = p.encryptionKeyId;
      if (p.immutableUntil !== undefined) out.immutableUntil = iso(p.immutableUntil)!;
      if (p.lockMode !== undefined) out.lockMode = p.lockMode;
      if (p.deleteAt !== undefined) out.deleteAt = iso(p.deleteAt)!;
      if (p.copyOf !== undefined) out.copyOf = p.copyOf;
      if (RESTORABLE.has(p.status)) out.restore = restoreCommands(resource.source, p, resource, options);
      return out;
    }),
  };
  if (resource.resourceType !== undefined) entry.resourceType = resource.resourceType;
  return entry;
}

/** How to restore with the stock tool of each source: the general section of catalogue.md. */
export const STOCK_TOOL_GUIDE: Record<BackupSource, string> = {
  'aws-backup': [
    '### AWS Backup (aws CLI)',
    '',
    'Each recovery point is an ARN in a backup vault. `get-recovery-point-restore-metadata` prints the',
    'metadata the original resource had; adjust it for the target and pass it to `start-restore-job` with',
    'an IAM role that AWS Backup may assume (`AWSBackupServiceRolePolicyForRestores`). Follow the job with',
    '`describe-restore-job` until `Status` is `COMPLETED`; `CreatedResourceArn` names the restored resource.',
  ].join('\n'),
  restic: [
    '### restic',
    '',
    'Each recovery point is a snapshot id in a restic repository. The repository password is in the',
    'credentials escrow. `restic restore <id> --target <dir>` restores the snapshot; `restic check',
    '--read-data-subset=10%` verifies the repository first if in doubt.',
  ].join('\n'),
  pgbackrest: [
    '### pgBackRest',
    '',
    'Each recovery point is a backup label of a stanza (`pgbackrest:<stanza>:<label>`). With PostgreSQL',
    'stopped, `pgbackrest --stanza=<stanza> --set=<label> restore` restores that backup and the WAL needed',
    'to make it consistent (add `--type=time --target=<time>` for point-in-time recovery).',
  ].join('\n'),
  generic: [
    '### Other tools (generic job reports)',
    '',
    'These recovery points were reported by the tool named below; restore them with that tool, using the',
    'recovery point id and location as given.',
  ].join('\n'),
};

function cell(value: string | number | boolean | undefined): string {
  return value === undefined ? '' : String(value).replaceAll('|', '\\|').replace(/\s+/g, ' ');
}

export function catalogueEntryMarkdown(entry: CatalogueEntry): string {
  const lines = [
    `## ${cell(entry.name)}`,
    '',
    `- locator: \`${entry.resourceId}\``,
    `- source: ${entry.source}${entry.resourceType ? ` (${entry.resourceType})` : ''}; declared by ${entry.declaredBy}`,
    `- RPO ${entry.rpo}, retention ${entry.retention}; ${entry.recoveryPoints.length} recovery point(s)`,
    '',
  ];
  if (entry.recoveryPoints.length > 0) {
    lines.push(
      '| created | status | size (bytes) | location | region | encryption key | immutable until | id |',
      '| ------- | ------ | -----------: | -------- | ------ | -------------- | --------------- | -- |',
    );
    for (const p of entry.recoveryPoints) {
      const key = p.encryptionKeyId ?? (p.encrypted === undefined ? '' : p.encrypted ? 'encrypted' : 'NOT encrypted');
      lines.push(
        `| ${p.createdAt} | ${p.status} | ${cell(p.sizeBytes)} | ${cell(p.location)} | ${cell(p.region)} | ${cell(key)} | ${cell(p.immutableUntil)}${p.lockMode ? ` (${p.lockMode})` : ''} | \`${cell(p.recoveryPointId)}\` |`,
      );
    }
    const latest = entry.recoveryPoints.find((p) => p.restore);
    if (latest?.restore) {
      lines.push(
        '',
        `Restore the newest restorable point (${latest.createdAt}):`,
        '',
        '```sh',
        ...latest.restore,
        '```',
      );
    }
  } else {
    lines.push('No recovery point is recorded for this resource.');
  }
  return `${lines.join('\n')}\n\n`;
}

export interface WriteCatalogueInput {
  tenantId: string;
  resources: readonly DeclaredResource[];
  facts: FactStore;
  /** Recovery points created at or after this time (epoch ms) are listed: usually the longest retention. */
  since: number;
  /** Generation time (epoch ms), written in the header: time is a parameter. */
  generatedAt: number;
  options?: CatalogueOptions;
  /** Resources fetched per FactStore call. */
  batchSize?: number;
  /** Called with each entry as it is written, e.g. to write its restore procedure in the same pass. */
  onEntry?: (entry: CatalogueEntry) => void | Promise<void>;
}

export interface CatalogueSummary {
  resources: number;
  recoveryPoints: number;
  restorable: number;
  bytes: number;
}

/**
 * Streams catalogue.json and catalogue.md, fetching facts batch by batch. The JSON is one object with
 * a `resources` array written element by element, so it stays valid JSON whatever the size.
 */
export async function writeCatalogue(
  input: WriteCatalogueInput,
  sinks: { json: TextSink; markdown: TextSink },
): Promise<CatalogueSummary> {
  const summary: CatalogueSummary = { resources: 0, recoveryPoints: 0, restorable: 0, bytes: 0 };
  const batchSize = Math.max(1, input.batchSize ?? 100);
  const generated = new Date(input.generatedAt).toISOString();
  await sinks.json.write(
    `{"tenantId":${JSON.stringify(input.tenantId)},"generatedAt":${JSON.stringify(generated)},"since":${JSON.stringify(iso(input.since))},"resources":[\n`,
  );
  await sinks.markdown.write(
    `# Backup catalogue: ${input.tenantId}\n\nGenerated ${generated}; recovery points since ${iso(input.since)}.\n\n## How to restore with stock tools\n\n`,
  );
  const sources = [...new Set(input.resources.map((r) => r.source))].sort();
  for (const source of sources) await sinks.markdown.write(`${STOCK_TOOL_GUIDE[source]}\n\n`);
  await sinks.markdown.write('# Resources\n\n');

  for (let start = 0; start < input.resources.length; start += batchSize) {
    const batch = input.resources.slice(start, start + batchSize);
    const facts = await input.facts.getFacts(
      input.tenantId,
      batch.map((r) => r.resourceId),
      input.since,
    );
    for (const resource of batch) {
      const entry = catalogueEntry(resource, facts.get(resource.resourceId), input.options);
      await sinks.json.write(`${summary.resources === 0 ? '' : ',\n'}${JSON.stringify(entry)}`);
      await sinks.markdown.write(catalogueEntryMarkdown(entry));
      await input.onEntry?.(entry);
      summary.resources++;
      summary.recoveryPoints += entry.recoveryPoints.length;
      for (const p of entry.recoveryPoints) {
        if (p.restore) summary.restorable++;
        summary.bytes += p.sizeBytes ?? 0;
      }
    }
  }
  await sinks.json.write('\n]}\n');
  return summary;
}
