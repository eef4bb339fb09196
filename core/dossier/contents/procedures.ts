/**
 * The procedures of the dossier: the declared strategy rendered for humans, one restore procedure
 * per resource (built from its catalogue entry and its restore-test runner), and the provider's own
 * runbooks, which are only checked (names, sizes) and listed: their content is the provider's.
 */
import type { Readable } from 'node:stream';
import type { Problem } from '../../errors.ts';
import type { DeclaredResource, EffectivePolicy } from '../../strategy/policy.ts';
import type { RestorePolicyDeclaration, StrategyDocument } from '../../strategy/schema.ts';
import { type CatalogueEntry, STOCK_TOOL_GUIDE } from './catalogue.ts';
import { PAYLOAD_PATHS, slugOf } from './layout.ts';

function cell(value: string | number | undefined): string {
  return value === undefined ? '' : String(value).replaceAll('|', '\\|').replace(/\s+/g, ' ');
}

/** Restore-test policies that select this resource, in declaration order. */
export function restorePoliciesFor(doc: StrategyDocument, resource: DeclaredResource): RestorePolicyDeclaration[] {
  return (doc.restoreTests?.policies ?? []).filter((p) =>
    p.source !== undefined
      ? p.source === resource.source
      : p.resources === 'all' || (Array.isArray(p.resources) && p.resources.includes(resource.resourceId)),
  );
}

function describePolicy(p: EffectivePolicy): string[] {
  const copies = p.copies;
  const copyText =
    copies.min === 0
      ? 'no copy required'
      : `at least ${copies.min} cop${copies.min === 1 ? 'y' : 'ies'} within ${copies.within.text}${copies.otherRegion ? ', one in another region' : ''}${copies.otherAccount ? ', one in another account' : ''}${copies.offsite ? ', one offsite' : ''}`;
  const encryption = p.encryption.required
    ? `required${p.encryption.keyId ? ` with key \`${p.encryption.keyId}\`` : ''}`
    : 'not required';
  const immutability = p.immutability.required
    ? `required for ${p.immutability.minDays} day(s) (${p.immutability.mode})`
    : 'not required';
  return [
    `| RPO | ${p.rpo.text} |`,
    `| Retention | ${p.retention.text} |`,
    `| Copies | ${copyText} |`,
    `| Encryption | ${encryption} |`,
    `| Immutability | ${immutability} |`,
    `| Anomaly detection | ${p.anomaly.sensitivity} (after ${p.anomaly.minHistory} backups) |`,
    `| Failure streak | ${p.failureStreak} consecutive failures make a finding |`,
  ];
}

function describeRestoreTest(p: RestorePolicyDeclaration): string {
  const when = p.schedule.cron !== undefined ? `cron \`${p.schedule.cron}\`` : `every ${p.schedule.every}`;
  return `policy \`${p.name}\`: ${p.runner} runner, ${when}, max RTO ${p.maxRto}`;
}

/** The declared strategy as a human document: per resource, its effective policy and restore tests. */
export function renderStrategyMarkdown(doc: StrategyDocument, declared: readonly DeclaredResource[]): string {
  const lines = [
    `# Backup strategy of ${doc.tenant.name} (\`${doc.tenant.id}\`)`,
    '',
    `Calendar durations (d, w, y) are counted in the ${doc.timezone} timezone. Each resource below shows the`,
    'policy it is judged against after defaults and overrides are merged.',
    '',
  ];
  for (const resource of declared) {
    lines.push(
      `## ${cell(resource.name)}`,
      '',
      `Locator \`${resource.resourceId}\`, source ${resource.source}${resource.resourceType ? `, type ${resource.resourceType}` : ''}, declared by ${resource.declaredBy}.`,
      '',
      '| promise | declared |',
      '| ------- | -------- |',
      ...describePolicy(resource.policy),
    );
    const tests = restorePoliciesFor(doc, resource);
    lines.push(
      `| Restore tests | ${tests.length === 0 ? 'none declared' : cell(tests.map(describeRestoreTest).join('; '))} |`,
      '',
    );
  }
  const exclusions = doc.exclusions ?? [];
  if (exclusions.length > 0) {
    lines.push('## Deliberately not protected', '', '| locator | reason |', '| ------- | ------ |');
    for (const e of exclusions) lines.push(`| \`${cell(e.locator)}\` | ${cell(e.reason)} |`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

export function restoreProcedurePath(resourceId: string): string {
  return `${PAYLOAD_PATHS.restoreProceduresFolder}${slugOf(resourceId)}.md`;
}

/**
 * The restore procedure of one resource: prerequisites, which recovery point, the exact commands,
 * and how to check the result, with the tested runner and RTO target when restore tests exist.
 */
export function renderRestoreProcedure(entry: CatalogueEntry, tests: readonly RestorePolicyDeclaration[] = []): string {
  const restorable = entry.recoveryPoints.filter((p) => p.restore);
  const lines = [
    `# Restore procedure: ${cell(entry.name)}`,
    '',
    `- locator: \`${entry.resourceId}\``,
    `- source: ${entry.source}${entry.resourceType ? ` (${entry.resourceType})` : ''}`,
    `- RPO ${entry.rpo}, retention ${entry.retention}`,
  ];
  if (tests.length > 0) {
    lines.push(`- tested by: ${tests.map(describeRestoreTest).join('; ')}`);
    lines.push(
      '- the restore-test evidence (restore-evidence/) shows the last tested recovery points and measured RTOs',
    );
  } else {
    lines.push('- no restore test is declared for this resource: test this procedure before relying on it');
  }
  lines.push('', '## Tool', '', STOCK_TOOL_GUIDE[entry.source].replace(/^### .*\n\n/, ''), '');
  lines.push('## 1. Choose the recovery point', '');
  if (restorable.length === 0) {
    lines.push('No restorable recovery point is recorded in the backup catalogue: there is nothing to restore from.');
    return `${lines.join('\n')}\n`;
  }
  lines.push('The newest restorable points (the full list is in catalogue/catalogue.md):', '');
  lines.push('| created | id | location | size (bytes) |', '| ------- | -- | -------- | -----------: |');
  for (const p of restorable.slice(0, 5)) {
    lines.push(`| ${p.createdAt} | \`${cell(p.recoveryPointId)}\` | ${cell(p.location)} | ${cell(p.sizeBytes)} |`);
  }
  const newest = restorable[0]!;
  lines.push(
    '',
    '## 2. Restore',
    '',
    `For the newest point (${newest.createdAt}); for another one, replace its id:`,
    '',
    '```sh',
    ...(newest.restore ?? []),
    '```',
    '',
    '## 3. Check the result',
    '',
    '- compare the restored data with what the application expects (row counts, file list, a known record);',
    '- record how long the restore took against the RTO agreed with the client.',
  );
  return `${lines.join('\n')}\n`;
}

/* ------------------------------------------------------------------------- provider runbooks */

export interface RunbookInput {
  /** S3 key under the procedures prefix. */
  key: string;
  size: number;
  open(): Promise<Readable>;
}

export interface RunbookEntry extends RunbookInput {
  /** Payload path, under procedures/runbooks/. */
  path: string;
}

export const RUNBOOK_EXTENSIONS = ['.md', '.markdown', '.txt', '.pdf', '.png', '.jpg', '.jpeg', '.gif', '.svg'];
export const MAX_RUNBOOK_BYTES = 50 * 1024 * 1024;
export const MAX_RUNBOOKS = 10_000;
export const MAX_RUNBOOKS_TOTAL_BYTES = 1024 * 1024 * 1024;

/**
 * Checks the provider's runbooks before they enter the bag: a safe relative name (no `..`, no
 * control characters, segments ≤ 255 bytes), Markdown or a common attachment type, bounded sizes.
 * Folder markers (keys ending in `/`) are skipped. Returns accepted entries sorted by path, and one
 * problem per refused key.
 */
export function validateRunbooks(
  runbooks: readonly RunbookInput[],
  prefix: string,
): { accepted: RunbookEntry[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const accepted: RunbookEntry[] = [];
  const paths = new Set<string>();
  let total = 0;
  const refuse = (key: string, message: string) => problems.push({ file: key, path: '', message });
  for (const r of runbooks) {
    if (r.key.endsWith('/')) continue;
    if (!r.key.startsWith(prefix)) {
      refuse(r.key, `not under the procedures prefix ${prefix}`);
      continue;
    }
    const relative = r.key.slice(prefix.length).normalize('NFC');
    const segments = relative.split('/');
    if (
      // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
      /[\u0000-\u001f\u007f\\]/.test(relative) ||
      segments.some((s) => s === '' || s === '.' || s === '..' || Buffer.byteLength(s) > 255) ||
      relative.length > 1024
    ) {
      refuse(
        r.key,
        'unsafe file name: expected a relative path without empty, . or .. segments, backslashes or control characters',
      );
      continue;
    }
    const lower = relative.toLowerCase();
    if (!RUNBOOK_EXTENSIONS.some((ext) => lower.endsWith(ext))) {
      refuse(
        r.key,
        `unsupported file type: expected Markdown runbooks or attachments (${RUNBOOK_EXTENSIONS.join(' ')})`,
      );
      continue;
    }
    if (!Number.isSafeInteger(r.size) || r.size < 0 || r.size > MAX_RUNBOOK_BYTES) {
      refuse(r.key, `size ${r.size} bytes: a runbook may be at most ${MAX_RUNBOOK_BYTES} bytes (50 MiB)`);
      continue;
    }
    const path = `${PAYLOAD_PATHS.runbooksFolder}${relative}`;
    if (paths.has(path)) {
      refuse(r.key, 'two runbooks have the same name once Unicode-normalised');
      continue;
    }
    if (accepted.length >= MAX_RUNBOOKS || total + r.size > MAX_RUNBOOKS_TOTAL_BYTES) {
      refuse(r.key, `too many runbooks: at most ${MAX_RUNBOOKS} files and ${MAX_RUNBOOKS_TOTAL_BYTES} bytes in total`);
      continue;
    }
    paths.add(path);
    total += r.size;
    accepted.push({ ...r, path });
  }
  accepted.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { accepted, problems };
}

/** procedures/README.md: what is in the procedures folder. */
export function renderProceduresIndex(
  generated: readonly { path: string; title: string }[],
  runbooks: readonly RunbookEntry[],
): string {
  const lines = ['# Procedures', '', '## Generated by Reversa', ''];
  for (const g of generated) lines.push(`- [${cell(g.title)}](${encodeURI(g.path.replace(/^procedures\//, ''))})`);
  lines.push('', "## The provider's runbooks", '');
  if (runbooks.length === 0) lines.push('None were provided.');
  for (const r of runbooks) {
    lines.push(
      `- [${cell(r.path.slice(PAYLOAD_PATHS.runbooksFolder.length))}](${encodeURI(r.path.replace(/^procedures\//, ''))}) (${r.size} bytes)`,
    );
  }
  return `${lines.join('\n')}\n`;
}
