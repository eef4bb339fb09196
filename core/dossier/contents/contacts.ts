/**
 * The contacts item of the dossier, straight from the strategy: who the successor can call. Names,
 * roles, emails and phone numbers only; the schema has no place for anything secret.
 */
import type { Contact } from '../../strategy/reversibility-schema.ts';

export function renderContactsJson(tenantId: string, contacts: readonly Contact[]): string {
  return `${JSON.stringify({ tenantId, contacts }, null, 2)}\n`;
}

function cell(value: string | undefined): string {
  return value === undefined ? '' : value.replaceAll('|', '\\|').replace(/\s+/g, ' ');
}

export function renderContactsMarkdown(tenantName: string, contacts: readonly Contact[]): string {
  const lines = [
    `# Contacts: ${cell(tenantName)}`,
    '',
    '| name | role | email | phone |',
    '| ---- | ---- | ----- | ----- |',
  ];
  for (const c of contacts) lines.push(`| ${cell(c.name)} | ${cell(c.role)} | ${cell(c.email)} | ${cell(c.phone)} |`);
  return `${lines.join('\n')}\n`;
}
