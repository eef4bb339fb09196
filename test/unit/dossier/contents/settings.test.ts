import { describe, expect, it } from 'vitest';
import { renderContactsJson, renderContactsMarkdown } from '#core/dossier/contents/contacts.ts';
import { itemOfPayloadPath } from '#core/dossier/contents/layout.ts';
import { itemOfSourceKey, resolveReversibility } from '#core/dossier/contents/settings.ts';

describe('reversibility settings', () => {
  const { prefixes } = resolveReversibility({ sources: { procedures: { prefix: 'runbooks/acme/' } } }, 'acme');

  it('files a key under the longest matching source prefix', () => {
    expect(itemOfSourceKey(prefixes, 'config/acme/vpc.yaml')).toBe('configurations');
    expect(itemOfSourceKey(prefixes, 'config/acme/security/waf.json')).toBe('securitySettings');
    expect(itemOfSourceKey(prefixes, 'config/acme/access-rights/iam.csv')).toBe('accessRights');
    expect(itemOfSourceKey(prefixes, 'config/acme/access-logs/2026-11.log.gz')).toBe('accessLogs');
    expect(itemOfSourceKey(prefixes, 'runbooks/acme/dr.md')).toBe('procedures');
    expect(itemOfSourceKey(prefixes, 'procedures/acme/dr.md')).toBeUndefined();
    expect(itemOfSourceKey(prefixes, 'config/acmecorp/x')).toBeUndefined();
  });

  it('maps payload paths back to checklist items', () => {
    expect(itemOfPayloadPath('data/catalogue/catalogue.json')).toBe('backupCatalogue');
    expect(itemOfPayloadPath('security-settings/waf.json')).toBe('securitySettings');
    expect(itemOfPayloadPath('data/checklist.md')).toBeUndefined();
  });

  it('renders contacts for the successor, escaping table separators', () => {
    const contacts = [{ name: 'Jane | Ops', role: 'service manager', email: 'jane@example.com' }];

    expect(renderContactsMarkdown('ACME', contacts)).toContain(
      '| Jane \\| Ops | service manager | jane@example.com |  |',
    );
    expect(JSON.parse(renderContactsJson('acme', contacts)).contacts).toEqual(contacts);
  });
});
