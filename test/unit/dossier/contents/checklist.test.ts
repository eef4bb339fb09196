import { describe, expect, it } from 'vitest';
import {
  evaluateChecklist,
  type ItemPresence,
  renderChecklistJson,
  renderChecklistMarkdown,
  requireComplete,
} from '#core/dossier/checklist.ts';
import { ValidationError } from '#core/errors.ts';
import { CHECKLIST_ITEMS, type ChecklistItemId } from '#core/strategy/reversibility-schema.ts';

const some: ItemPresence = { files: 2, bytes: 300 };
const everything = Object.fromEntries(CHECKLIST_ITEMS.map((id) => [id, some])) as Record<ChecklistItemId, ItemPresence>;

describe('the completeness checklist', () => {
  it('is complete when every item is present', () => {
    const result = evaluateChecklist(undefined, everything);

    expect(result.complete).toBe(true);
    expect(result.items.map((i) => i.status)).toEqual(CHECKLIST_ITEMS.map(() => 'present'));
    expect(() => requireComplete(result)).not.toThrow();
  });

  it('fails on missing required items, naming every one of them in a DossierIncomplete error', () => {
    const result = evaluateChecklist(undefined, {
      ...everything,
      accessLogs: undefined,
      contacts: { files: 0, bytes: 0 },
    });

    expect(result.missingRequired).toEqual(['accessLogs', 'contacts']);
    let error: unknown;
    try {
      requireComplete(result);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('DossierIncomplete');
    expect((error as ValidationError).problems.map((p) => p.path)).toEqual([
      'reversibility.checklist.accessLogs',
      'reversibility.checklist.contacts',
    ]);
    expect((error as ValidationError).problems[0]?.message).toMatch(
      /waive it with reversibility\.checklist\.accessLogs\.waived\.reason/,
    );
  });

  it('lets a waived item be absent, with its reason published', () => {
    const result = evaluateChecklist(
      { checklist: { credentials: { waived: { reason: 'SSO only, no shared credentials' } } } },
      { ...everything, credentials: undefined },
    );

    expect(result.complete).toBe(true);
    expect(result.items.find((i) => i.id === 'credentials')).toMatchObject({
      status: 'waived',
      waiverReason: 'SSO only, no shared credentials',
    });
    expect(renderChecklistMarkdown(result)).toContain(
      '| ➖ waived | 0 | 0 | waiver: SSO only, no shared credentials |',
    );
  });

  it('reports an optional item as missing without failing the export', () => {
    const result = evaluateChecklist(
      { checklist: { accessLogs: { required: false } } },
      { ...everything, accessLogs: undefined },
    );

    expect(result.complete).toBe(true);
    expect(result.items.find((i) => i.id === 'accessLogs')).toMatchObject({ status: 'missing', required: false });
  });

  it('counts a waived item that turns out present as present, keeping the waiver note', () => {
    const result = evaluateChecklist(
      { checklist: { inventory: { waived: { reason: 'registry pending' } } } },
      everything,
    );

    expect(result.items[0]).toMatchObject({ id: 'inventory', status: 'present', waiverReason: 'registry pending' });
  });

  it('renders checklist.md with an INCOMPLETE banner and checklist.json with every item', () => {
    const result = evaluateChecklist(undefined, { inventory: some });

    const md = renderChecklistMarkdown(result);
    const json = JSON.parse(renderChecklistJson(result));

    expect(md).toMatch(/^# Completeness checklist\n\nINCOMPLETE: 9 required item\(s\) missing: configurations, /);
    expect(md).toContain('| Inventory of assets (`inventory`) | yes | ✅ present | 2 | 300 |  |');
    expect(json.items).toHaveLength(10);
    expect(json.complete).toBe(false);
  });
});
