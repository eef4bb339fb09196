/**
 * Where each checklist item goes inside the bag's `data/` folder. One top-level folder per item, so
 * that "what changed since v1" can be told per item from two manifests alone (see readiness.ts).
 */
import { createHash } from 'node:crypto';
import type { ChecklistItemId } from '../../strategy/reversibility-schema.ts';

export const ITEM_FOLDERS: Record<ChecklistItemId, string> = {
  inventory: 'inventory',
  configurations: 'configurations',
  securitySettings: 'security-settings',
  accessRights: 'access-rights',
  accessLogs: 'access-logs',
  procedures: 'procedures',
  backupCatalogue: 'catalogue',
  restoreEvidence: 'restore-evidence',
  credentials: 'credentials',
  contacts: 'contacts',
};

export const PAYLOAD_PATHS = {
  inventoryJson: 'inventory/inventory.json',
  inventoryCsv: 'inventory/inventory.csv',
  catalogueJson: 'catalogue/catalogue.json',
  catalogueMarkdown: 'catalogue/catalogue.md',
  strategyMarkdown: 'procedures/generated/strategy.md',
  /** One restore procedure per resource: procedures/generated/restore/<slug>.md */
  restoreProceduresFolder: 'procedures/generated/restore/',
  runbooksFolder: 'procedures/runbooks/',
  contactsJson: 'contacts/contacts.json',
  contactsMarkdown: 'contacts/contacts.md',
  checklistJson: 'checklist.json',
  checklistMarkdown: 'checklist.md',
} as const;

/** The checklist item a payload path belongs to, from its first folder; undefined for root files. */
export function itemOfPayloadPath(path: string): ChecklistItemId | undefined {
  const relative = path.startsWith('data/') ? path.slice(5) : path;
  const folder = relative.split('/')[0];
  for (const [id, name] of Object.entries(ITEM_FOLDERS))
    if (name === folder && relative.includes('/')) return id as ChecklistItemId;
  return undefined;
}

/**
 * A file-name-safe, stable, readable slug of a locator: `arn:aws:rds:…:db:orders` → `arn-aws-rds-…-db-orders`.
 * A short hash suffix keeps two locators that slug alike apart.
 */
export function slugOf(locator: string): string {
  const base = locator
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80);
  return `${base || 'resource'}-${createHash('sha256').update(locator, 'utf8').digest('hex').slice(0, 8)}`;
}
