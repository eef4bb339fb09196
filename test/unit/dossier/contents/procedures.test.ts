import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { catalogueEntry } from '#core/dossier/contents/catalogue.ts';
import {
  renderProceduresIndex,
  renderRestoreProcedure,
  renderStrategyMarkdown,
  restorePoliciesFor,
  restoreProcedurePath,
  validateRunbooks,
} from '#core/dossier/contents/procedures.ts';
import type { RecoveryPoint } from '#core/model.ts';
import { parseStrategy } from '#core/strategy/parse.ts';
import { resolveResources } from '#core/strategy/resolve.ts';

const strategy = parseStrategy(
  `apiVersion: reversa/v1
tenant: { id: acme, name: ACME Industries }
timezone: Europe/Paris
defaults:
  rpo: 24h
  retention: 35d
  copies: { min: 1, otherRegion: true }
  encryption: { required: true, keyId: alias/backup }
  immutability: { required: true, mode: vault-lock, minDays: 30 }
resources:
  - { locator: "arn:aws:rds:eu-west-3:111122223333:db:orders", name: Orders, rpo: 1h }
  - { locator: "pgbackrest:main", name: Main cluster }
exclusions:
  - { locator: scratch, reason: "recreated | from AMI" }
restoreTests:
  policies:
    - { name: weekly-rds, source: aws-backup, runner: aws-backup, schedule: { every: 7d }, maxRto: 4h }
`,
  'acme.yaml',
).document;
const [orders, cluster] = resolveResources(strategy, []).declared;

const rp: RecoveryPoint = {
  tenantId: 'acme',
  source: 'aws-backup',
  recoveryPointId: 'arn:aws:backup:eu-west-3:111122223333:recovery-point:rp-1',
  resourceId: orders!.resourceId,
  status: 'AVAILABLE',
  createdAt: Date.parse('2026-11-01T02:00:00Z'),
  location: 'acme-vault',
  observedAt: 0,
};

describe('the strategy rendered for humans', () => {
  it('shows each resource with its effective policy and the restore tests that select it', () => {
    const md = renderStrategyMarkdown(strategy, [orders!, cluster!]);

    expect(md).toContain('# Backup strategy of ACME Industries (`acme`)');
    expect(md).toContain('## Orders');
    expect(md).toContain('| RPO | 1h |');
    expect(md).toContain('| Copies | at least 1 copy within 24h, one in another region |');
    expect(md).toContain('| Encryption | required with key `alias/backup` |');
    expect(md).toContain('| Immutability | required for 30 day(s) (vault-lock) |');
    expect(md).toContain('| Restore tests | policy `weekly-rds`: aws-backup runner, every 7d, max RTO 4h |');
    expect(md).toContain('| Restore tests | none declared |');
    expect(md).toContain('| `scratch` | recreated \\| from AMI |');
  });

  it('finds restore-test policies by source or by locator', () => {
    expect(restorePoliciesFor(strategy, orders!).map((p) => p.name)).toEqual(['weekly-rds']);
    expect(restorePoliciesFor(strategy, cluster!)).toEqual([]);
  });
});

describe('restore procedures', () => {
  it('builds a procedure from the catalogue entry, with the commands of the newest point and the tested runner', () => {
    const entry = catalogueEntry(orders!, { jobs: [], recoveryPoints: [rp] });

    const md = renderRestoreProcedure(entry, restorePoliciesFor(strategy, orders!));

    expect(md).toContain('# Restore procedure: Orders');
    expect(md).toContain('- tested by: policy `weekly-rds`: aws-backup runner, every 7d, max RTO 4h');
    expect(md).toContain(
      'aws backup start-restore-job --recovery-point-arn arn:aws:backup:eu-west-3:111122223333:recovery-point:rp-1',
    );
    expect(md).toContain('## 3. Check the result');
  });

  it('warns when there is nothing to restore from and when no test covers the resource', () => {
    const md = renderRestoreProcedure(catalogueEntry(cluster!, undefined));

    expect(md).toContain('no restore test is declared for this resource');
    expect(md).toContain('No restorable recovery point is recorded');
  });

  it('gives each resource a stable, file-safe path', () => {
    const path = restoreProcedurePath('arn:aws:rds:eu-west-3:111122223333:db:orders');

    expect(path).toMatch(
      /^procedures\/generated\/restore\/arn-aws-rds-eu-west-3-111122223333-db-orders-[0-9a-f]{8}\.md$/,
    );
    expect(restoreProcedurePath('restic:a:/x')).not.toBe(restoreProcedurePath('restic:a:-x'));
  });
});

describe("the provider's runbooks", () => {
  const open = async () => Readable.from(['# runbook\n']);
  const runbook = (key: string, size = 10) => ({ key, size, open });

  it('accepts Markdown and attachments under the prefix, sorted, and skips folder markers', () => {
    const { accepted, problems } = validateRunbooks(
      [runbook('procedures/acme/network/firewall.md'), runbook('procedures/acme/'), runbook('procedures/acme/a.png')],
      'procedures/acme/',
    );

    expect(problems).toEqual([]);
    expect(accepted.map((r) => r.path)).toEqual([
      'procedures/runbooks/a.png',
      'procedures/runbooks/network/firewall.md',
    ]);
  });

  it('refuses unsafe names, other file types, oversized files and keys outside the prefix, one problem each', () => {
    const { accepted, problems } = validateRunbooks(
      [
        runbook('procedures/acme/../other/secret.md'),
        runbook('procedures/acme/tool.exe'),
        runbook('procedures/acme/huge.md', 51 * 1024 * 1024),
        runbook('procedures/other/x.md'),
        runbook('procedures/acme/a\u0007b.md'),
      ],
      'procedures/acme/',
    );

    expect(accepted).toEqual([]);
    expect(problems.map((p) => p.message.split(':')[0])).toEqual([
      'unsafe file name',
      'unsupported file type',
      'size 53477376 bytes',
      'not under the procedures prefix procedures/acme/',
      'unsafe file name',
    ]);
  });

  it('lists generated procedures and runbooks in the index', () => {
    const { accepted } = validateRunbooks([runbook('procedures/acme/DR plan.md')], 'procedures/acme/');

    const md = renderProceduresIndex(
      [{ path: 'procedures/generated/strategy.md', title: 'Backup strategy' }],
      accepted,
    );

    expect(md).toContain('- [Backup strategy](generated/strategy.md)');
    expect(md).toContain('- [DR plan.md](runbooks/DR%20plan.md) (10 bytes)');
  });
});
