/**
 * The completeness checklist of a dossier: each of the ten items is present, missing or waived (with
 * the provider's reason). A missing required item fails the export, because an incomplete dossier
 * delivered as if complete is worse than none: the successor would find the gap on the day it needs
 * the missing piece.
 */
import { ValidationError } from '../errors.ts';
import { CHECKLIST_ITEMS, type ChecklistItemId, type ReversibilitySection } from '../strategy/reversibility-schema.ts';
import { type ChecklistItemSettings, resolveReversibility } from './contents/settings.ts';

export type ItemId = ChecklistItemId;
export type ItemPresence = { files: number; bytes: number } | undefined;
export type ChecklistStatus = 'present' | 'missing' | 'waived';

export const ITEM_TITLES: Record<ChecklistItemId, string> = {
  inventory: 'Inventory of assets',
  configurations: 'Configurations',
  securitySettings: 'Security settings',
  accessRights: 'Access rights',
  accessLogs: 'Access logs',
  procedures: 'Procedures (runbooks and generated restore procedures)',
  backupCatalogue: 'Backup catalogue',
  restoreEvidence: 'Restore-test evidence',
  credentials: 'Credentials escrow',
  contacts: 'Contacts',
};

export interface ChecklistItemResult {
  id: ChecklistItemId;
  title: string;
  required: boolean;
  status: ChecklistStatus;
  files: number;
  bytes: number;
  /** The strategy's waiver reason; also kept when the item turned out present. */
  waiverReason?: string;
}

export interface ChecklistResult {
  items: ChecklistItemResult[];
  /** Required items neither present nor waived: the export must not be published. */
  missingRequired: ChecklistItemId[];
  complete: boolean;
}

/**
 * Judges each item: present when it has at least one file (an empty folder is not a delivery),
 * waived when absent but waived, missing otherwise. Never throws; see requireComplete.
 */
export function evaluateChecklist(
  section: ReversibilitySection | undefined,
  present: Partial<Record<ChecklistItemId, ItemPresence>>,
): ChecklistResult {
  // The tenant id only shapes default prefixes, which the checklist does not read.
  const settings = resolveReversibility(section, '-').checklist;
  const items = CHECKLIST_ITEMS.map((id) => judge(id, settings[id], present[id]));
  const missingRequired = items.filter((i) => i.status === 'missing' && i.required).map((i) => i.id);
  return { items, missingRequired, complete: missingRequired.length === 0 };
}

function judge(id: ChecklistItemId, settings: ChecklistItemSettings, presence: ItemPresence): ChecklistItemResult {
  const files = presence?.files ?? 0;
  const bytes = presence?.bytes ?? 0;
  const status: ChecklistStatus = files > 0 ? 'present' : settings.waivedReason !== undefined ? 'waived' : 'missing';
  const result: ChecklistItemResult = { id, title: ITEM_TITLES[id], required: settings.required, status, files, bytes };
  if (settings.waivedReason !== undefined) result.waiverReason = settings.waivedReason;
  return result;
}

/** Throws ValidationError 'DossierIncomplete' naming EVERY missing required item and how to fix it. */
export function requireComplete(result: ChecklistResult, file = '<strategy>'): void {
  if (result.complete) return;
  throw new ValidationError(
    'DossierIncomplete',
    result.missingRequired.map((id) => ({
      file,
      path: `reversibility.checklist.${id}`,
      message: `required item '${id}' (${ITEM_TITLES[id]}) is missing: provide it, or waive it with reversibility.checklist.${id}.waived.reason`,
    })),
  );
}

export function renderChecklistJson(result: ChecklistResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

const STATUS_MARK: Record<ChecklistStatus, string> = {
  present: '✅ present',
  missing: '❌ missing',
  waived: '➖ waived',
};

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replace(/\s+/g, ' ');
}

export function renderChecklistMarkdown(result: ChecklistResult, title = 'Completeness checklist'): string {
  const lines = [
    `# ${title}`,
    '',
    result.complete
      ? 'Every required item is present or explicitly waived.'
      : `INCOMPLETE: ${result.missingRequired.length} required item(s) missing: ${result.missingRequired.join(', ')}.`,
    '',
    '| item | required | status | files | bytes | note |',
    '| ---- | -------- | ------ | ----: | ----: | ---- |',
  ];
  for (const item of result.items) {
    const note = item.waiverReason === undefined ? '' : `waiver: ${cell(item.waiverReason)}`;
    lines.push(
      `| ${item.title} (\`${item.id}\`) | ${item.required ? 'yes' : 'no'} | ${STATUS_MARK[item.status]} | ${item.files} | ${item.bytes} | ${note} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
