/**
 * The demo's portal logins: a client and an auditor (30-day window) of the demo tenant, with random
 * passwords printed once and kept in a 0600 file beside the demo's other artefacts.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SecretValue } from '#core/secrets/secret-value.ts';
import type { LocalCloud } from '#local/cloud.ts';
import { localUserDirectory } from '#wiring/local/api.ts';

const DAY = 86_400_000;

export async function demoPortalUsers(cloud: LocalCloud, tenantId: string, now: number, dir: string) {
  const directory = localUserDirectory(cloud);
  const users = {
    client: {
      email: `it@${tenantId}.example`,
      role: 'client' as const,
      password: randomBytes(12).toString('base64url'),
    },
    auditor: {
      email: 'auditor@audit-firm.example',
      role: 'auditor' as const,
      password: randomBytes(12).toString('base64url'),
    },
  };
  await directory.add(
    { email: users.client.email, role: 'client', tenants: [tenantId] },
    SecretValue.fromUtf8(users.client.password),
    now,
  );
  await directory.add(
    {
      email: users.auditor.email,
      role: 'auditor',
      tenants: [tenantId],
      accessUntil: new Date(now + 30 * DAY).toISOString(),
    },
    SecretValue.fromUtf8(users.auditor.password),
    now,
  );
  const file = join(dir, 'portal-logins.txt');
  const lines = Object.values(users).map((u) => `${u.role}\t${u.email}\t${u.password}`);
  await writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return { ...users, file };
}
