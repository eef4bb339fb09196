/**
 * Is the last exported dossier still an accurate picture? It is stale as soon as one of its inputs
 * changes: the strategy, the inventory, a configuration file, a runbook, a rotated secret, new
 * restore evidence. Each input group gets its own fingerprint so that `reversa status` says WHAT
 * changed, not only that something did. Secrets enter by name, version and change time only.
 */
import { createHash } from 'node:crypto';

export const INPUT_GROUPS = [
  'strategy',
  'inventory',
  'configurations',
  'procedures',
  'secrets',
  'restoreEvidence',
] as const;
export type InputGroup = (typeof INPUT_GROUPS)[number];

export interface SourceFileRef {
  key: string;
  /** S3 ETag or content SHA-256: one is enough to notice a rewrite. */
  etag?: string;
  sha256?: string;
  /** Epoch ms. */
  lastModified: number;
}

export interface SecretRef {
  name: string;
  /** Secrets Manager VersionId (AWSCURRENT) or the local store's version. */
  version: string;
  /** Epoch ms. */
  lastChangedAt: number;
}

export interface FingerprintInputs {
  strategySha256: string;
  inventorySha256: string;
  /** Every file under the configuration prefixes (configurations, security settings, access rights and logs). */
  configurations: readonly SourceFileRef[];
  procedures: readonly SourceFileRef[];
  secrets: readonly SecretRef[];
  /** Hash of the newest restore-test audit-log entry, when there is one. */
  restoreEvidenceHead?: string;
}

export interface InputsFingerprint {
  /** SHA-256 over the per-group fingerprints: one value to store and compare. */
  sha256: string;
  groups: Record<InputGroup, string>;
}

export interface LastExport {
  fingerprint: InputsFingerprint;
  version: number;
  /** Epoch ms. */
  exportedAt: number;
}

export interface Readiness {
  status: 'ready' | 'stale' | 'never-exported';
  /** Input groups whose fingerprint changed since the last export, in INPUT_GROUPS order. */
  changed: InputGroup[];
  lastVersion?: number;
  lastExportedAt?: number;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** JSON with sorted keys and no whitespace: the same data always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function filesFingerprint(files: readonly SourceFileRef[]): string {
  // Listing order is the store's business, not a change.
  const rows = files
    .map((f) => canonicalJson({ key: f.key, etag: f.etag, sha256: f.sha256, lastModified: f.lastModified }))
    .sort(byString);
  return sha256(`[${rows.join(',')}]`);
}

export function inputsFingerprint(inputs: FingerprintInputs): InputsFingerprint {
  const secrets = inputs.secrets
    .map((s) => canonicalJson({ name: s.name, version: s.version, lastChangedAt: s.lastChangedAt }))
    .sort(byString);
  const groups: Record<InputGroup, string> = {
    strategy: sha256(canonicalJson({ strategy: inputs.strategySha256 })),
    inventory: sha256(canonicalJson({ inventory: inputs.inventorySha256 })),
    configurations: filesFingerprint(inputs.configurations),
    procedures: filesFingerprint(inputs.procedures),
    secrets: sha256(`[${secrets.join(',')}]`),
    restoreEvidence: sha256(canonicalJson({ head: inputs.restoreEvidenceHead ?? null })),
  };
  return { sha256: sha256(canonicalJson(groups)), groups };
}

export function readiness(lastExport: LastExport | undefined, current: InputsFingerprint): Readiness {
  if (lastExport === undefined) return { status: 'never-exported', changed: [...INPUT_GROUPS] };
  const changed = INPUT_GROUPS.filter((g) => lastExport.fingerprint.groups[g] !== current.groups[g]);
  // A stored fingerprint from an older format may lack groups: the overall hash still decides.
  const stale = changed.length > 0 || lastExport.fingerprint.sha256 !== current.sha256;
  return {
    status: stale ? 'stale' : 'ready',
    changed,
    lastVersion: lastExport.version,
    lastExportedAt: lastExport.exportedAt,
  };
}

/* ------------------------------------------------------------------------- version diff */

/** Payload path (with or without `data/`) → lower-case hex SHA-256, as read from manifest-sha256.txt. */
export type ManifestIndex = ReadonlyMap<string, string>;

/** Reads sha256sum-style manifest lines (`<hash>  data/<path>`) into an index. */
export function manifestIndexOf(manifestText: string): Map<string, string> {
  const index = new Map<string, string>();
  for (const line of manifestText.split(/\r?\n/)) {
    const m = /^([0-9a-f]{64}) [ *]?(.+)$/.exec(line);
    if (m) index.set(m[2]!, m[1]!);
  }
  return index;
}

export interface GroupDiff {
  added: string[];
  removed: string[];
  changed: string[];
}

export interface DiffSummary {
  /** Per top-level folder of data/ (inventory, procedures, credentials, …; `(root)` for files at the top). */
  groups: Record<string, GroupDiff>;
  /** Secret-level changes, from the secret refs (escrow ciphertexts differ on every export). */
  secrets?: { added: string[]; removed: string[]; rotated: string[] };
  /** One human line, e.g. "3 procedures changed, 1 secret rotated", or "no change". */
  summary: string;
}

function groupOf(path: string): string {
  const relative = path.startsWith('data/') ? path.slice(5) : path;
  const slash = relative.indexOf('/');
  return slash < 0 ? '(root)' : relative.slice(0, slash);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

const GROUP_WORDS: Record<string, string> = {
  inventory: 'inventory file',
  configurations: 'configuration',
  'security-settings': 'security setting',
  'access-rights': 'access-rights file',
  'access-logs': 'access-log file',
  procedures: 'procedure',
  catalogue: 'catalogue file',
  'restore-evidence': 'restore-evidence file',
  credentials: 'credentials file',
  contacts: 'contacts file',
};

/**
 * What changed between two versions of a dossier, per folder, to publish "v2: 3 procedures changed,
 * 1 secret rotated". Escrow files are re-encrypted on every export, so their hashes always differ:
 * when `secrets` refs are given, the credentials folder is judged from them instead.
 */
export function diffSummary(
  previous: ManifestIndex,
  current: ManifestIndex,
  secrets?: { previous: readonly SecretRef[]; current: readonly SecretRef[] },
): DiffSummary {
  const groups: Record<string, GroupDiff> = {};
  const entry = (path: string) => {
    const g = groupOf(path);
    groups[g] ??= { added: [], removed: [], changed: [] };
    return groups[g];
  };
  for (const [path, hash] of current) {
    const before = previous.get(path);
    if (before === undefined) entry(path).added.push(path);
    else if (before !== hash) entry(path).changed.push(path);
  }
  for (const path of previous.keys()) if (!current.has(path)) entry(path).removed.push(path);
  for (const g of Object.values(groups)) {
    g.added.sort(byString);
    g.removed.sort(byString);
    g.changed.sort(byString);
  }

  const parts: string[] = [];
  const result: DiffSummary = { groups, summary: '' };
  // Escrow ciphertexts are judged from the secret refs below, not from their hashes.
  if (secrets) delete groups.credentials;
  for (const name of Object.keys(groups).sort(byString)) {
    const g = groups[name]!;
    const word = GROUP_WORDS[name] ?? `${name} file`;
    if (g.added.length) parts.push(`${plural(g.added.length, word)} added`);
    if (g.removed.length) parts.push(`${plural(g.removed.length, word)} removed`);
    if (g.changed.length) parts.push(`${plural(g.changed.length, word)} changed`);
  }
  if (secrets) {
    const before = new Map(secrets.previous.map((s) => [s.name, s]));
    const after = new Map(secrets.current.map((s) => [s.name, s]));
    const diff = {
      added: [...after.keys()].filter((n) => !before.has(n)).sort(byString),
      removed: [...before.keys()].filter((n) => !after.has(n)).sort(byString),
      rotated: [...after.values()]
        .filter((s) => {
          const b = before.get(s.name);
          return b !== undefined && (b.version !== s.version || b.lastChangedAt !== s.lastChangedAt);
        })
        .map((s) => s.name)
        .sort(byString),
    };
    result.secrets = diff;
    if (diff.added.length) parts.push(`${plural(diff.added.length, 'secret')} added`);
    if (diff.removed.length) parts.push(`${plural(diff.removed.length, 'secret')} removed`);
    if (diff.rotated.length) parts.push(`${plural(diff.rotated.length, 'secret')} rotated`);
  }
  result.summary = parts.length === 0 ? 'no change' : parts.join(', ');
  return result;
}
