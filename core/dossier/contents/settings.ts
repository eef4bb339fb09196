/**
 * The strategy's `reversibility` section with every default filled in, so the export code never
 * re-derives a default (and the docs name each one in one place).
 */
import { parseDuration } from '../../strategy/duration.ts';
import type { Duration } from '../../strategy/policy.ts';
import {
  CHECKLIST_ITEMS,
  type ChecklistItemId,
  type Contact,
  DEFAULT_RETRIEVAL_PERIOD,
  type ReversibilitySection,
  type SecretSelection,
} from '../../strategy/reversibility-schema.ts';

export type SourceItemId = 'configurations' | 'procedures' | 'securitySettings' | 'accessRights' | 'accessLogs';
export const SOURCE_ITEMS: readonly SourceItemId[] = [
  'configurations',
  'procedures',
  'securitySettings',
  'accessRights',
  'accessLogs',
];

export interface ChecklistItemSettings {
  required: boolean;
  waivedReason?: string;
}

export interface ReversibilitySettings {
  successorRecipients: string[];
  breakGlassRecipient?: string;
  custodians?: { recipients: string[]; threshold: number };
  checklist: Record<ChecklistItemId, ChecklistItemSettings>;
  contacts: Contact[];
  /** S3 key prefixes in the data bucket, each ending with `/`. */
  prefixes: Record<SourceItemId, string>;
  secrets: SecretSelection;
  embedData: boolean;
  retrievalPeriod: Duration;
}

export function defaultPrefixes(tenantId: string): Record<SourceItemId, string> {
  return {
    configurations: `config/${tenantId}/`,
    procedures: `procedures/${tenantId}/`,
    securitySettings: `config/${tenantId}/security/`,
    accessRights: `config/${tenantId}/access-rights/`,
    accessLogs: `config/${tenantId}/access-logs/`,
  };
}

export function resolveReversibility(
  section: ReversibilitySection | undefined,
  tenantId: string,
): ReversibilitySettings {
  const s = section ?? {};
  const checklist = Object.fromEntries(
    CHECKLIST_ITEMS.map((id) => {
      const item = s.checklist?.[id];
      const settings: ChecklistItemSettings = { required: item?.required ?? true };
      if (item?.waived) settings.waivedReason = item.waived.reason;
      return [id, settings];
    }),
  ) as Record<ChecklistItemId, ChecklistItemSettings>;
  const defaults = defaultPrefixes(tenantId);
  const prefixes = Object.fromEntries(
    SOURCE_ITEMS.map((id) => [id, s.sources?.[id]?.prefix ?? defaults[id]]),
  ) as Record<SourceItemId, string>;
  const settings: ReversibilitySettings = {
    successorRecipients: s.successorRecipients ?? [],
    checklist,
    contacts: s.contacts ?? [],
    prefixes,
    secrets: s.sources?.secrets ?? { tag: { key: 'reversa:tenant', value: tenantId } },
    embedData: s.embedData ?? false,
    retrievalPeriod: parseDuration(s.retrievalPeriod ?? DEFAULT_RETRIEVAL_PERIOD, {
      file: '<strategy>',
      path: 'reversibility.retrievalPeriod',
    }),
  };
  if (s.breakGlassRecipient !== undefined) settings.breakGlassRecipient = s.breakGlassRecipient;
  if (s.custodians !== undefined) settings.custodians = s.custodians;
  return settings;
}

/**
 * Which checklist item an S3 key under the source prefixes belongs to: the LONGEST matching prefix
 * wins, so `config/<t>/security/fw.json` is a security setting, not a configuration. Undefined when
 * the key is under none of them.
 */
export function itemOfSourceKey(prefixes: Record<SourceItemId, string>, key: string): SourceItemId | undefined {
  let best: SourceItemId | undefined;
  let bestLength = -1;
  for (const id of SOURCE_ITEMS) {
    const prefix = prefixes[id];
    if (key.startsWith(prefix) && prefix.length > bestLength) {
      best = id;
      bestLength = prefix.length;
    }
  }
  return best;
}
