import { describe, expect, it } from 'vitest';
import type { BackupSource, SeenResource } from '#core/model.ts';
import { parseStrategy } from '#core/strategy/parse.ts';
import { resolveResources } from '#core/strategy/resolve.ts';
import { awsAccountsOf, awsBackupTargetsOf } from '#core/strategy/routing.ts';
import type { StrategyDocument } from '#core/strategy/schema.ts';

const ORDERS = 'arn:aws:rds:eu-west-3:111122223333:db:orders';
const VOL = (id: string) => `arn:aws:ec2:eu-west-3:111122223333:volume/${id}`;

function seen(
  resourceId: string,
  source: BackupSource,
  resourceType?: string,
  tags?: Record<string, string>,
): SeenResource {
  const r: SeenResource = { tenantId: 'acme', source, resourceId, firstSeenAt: 0, lastSeenAt: 0 };
  if (resourceType) r.resourceType = resourceType;
  if (tags) r.tags = tags;
  return r;
}

function strategy(resourcesYaml: string, extra = ''): StrategyDocument {
  const text = `apiVersion: reversa/v1
tenant: { id: acme, name: ACME }
timezone: Europe/Paris
defaults: { rpo: 24h, retention: 35d }
resources:
${resourcesYaml}
${extra}`;
  return parseStrategy(text, 'acme.yaml').document;
}

describe('resolveResources', () => {
  it('declares explicit resources even when no source has reported them yet', () => {
    const doc = strategy(`  - { locator: "${ORDERS}", name: Orders, type: RDS, rpo: 1h }
  - { locator: "restic:web-01:/srv/www" }`);

    const { declared, undeclared } = resolveResources(doc, []);

    expect(
      declared.map((d) => [d.resourceId, d.name, d.source, d.resourceType, d.declaredBy, d.policy.rpo.text]),
    ).toEqual([
      [ORDERS, 'Orders', 'aws-backup', 'RDS', 'resources[0]', '1h'],
      ['restic:web-01:/srv/www', 'restic:web-01:/srv/www', 'restic', undefined, 'resources[1]', '24h'],
    ]);
    expect(undeclared).toEqual([]);
  });

  it('expands a selector over seen resources matching source, type, every tag and the prefix', () => {
    const doc = strategy(`  - name: Daily EBS
    select: { source: aws-backup, type: ebs, tags: { backup: daily, env: prod }, prefix: "arn:aws:ec2:eu-west-3:" }
    retention: 14d`);
    const matching = seen(VOL('vol-b'), 'aws-backup', 'EBS', { backup: 'daily', env: 'prod', team: 'x' });
    const others = [
      seen(VOL('vol-a'), 'aws-backup', 'EBS', { backup: 'daily' }),
      seen(VOL('vol-c'), 'aws-backup', 'RDS', { backup: 'daily', env: 'prod' }),
      seen('arn:aws:ec2:us-east-1:111122223333:volume/vol-d', 'aws-backup', 'EBS', { backup: 'daily', env: 'prod' }),
      seen(VOL('vol-e'), 'generic', 'EBS', { backup: 'daily', env: 'prod' }),
    ];

    const { declared, undeclared } = resolveResources(doc, [...others, matching]);

    expect(declared).toHaveLength(1);
    expect(declared[0]).toMatchObject({
      resourceId: VOL('vol-b'),
      name: `Daily EBS: ${VOL('vol-b')}`,
      source: 'aws-backup',
      resourceType: 'EBS',
      declaredBy: 'resources[0].select',
    });
    expect(declared[0]?.policy.retention.text).toBe('14d');
    expect(undeclared.map((u) => u.resourceId)).toEqual(others.map((o) => o.resourceId).sort());
  });

  it('lets an explicit resource win over a selector, and the first selector win over a later one', () => {
    const doc = strategy(`  - { name: All EBS, select: { source: aws-backup, type: EBS }, retention: 7d }
  - { locator: "${VOL('vol-1')}", name: Database volume, retention: 90d }
  - { name: Daily, select: { source: aws-backup, tags: { backup: daily } }, retention: 14d }`);
    const volumes = ['vol-1', 'vol-2'].map((id) => seen(VOL(id), 'aws-backup', 'EBS', { backup: 'daily' }));

    const { declared } = resolveResources(doc, volumes);

    expect(declared.map((d) => [d.resourceId, d.declaredBy, d.policy.retention.text])).toEqual([
      [VOL('vol-1'), 'resources[1]', '90d'],
      [VOL('vol-2'), 'resources[0].select', '7d'],
    ]);
  });

  it('neither declares nor reports as drift an excluded resource, and lists it as excluded', () => {
    const doc = strategy(
      '  - { select: { source: aws-backup, type: EBS } }',
      `exclusions:\n  - { locator: "${VOL('vol-scratch')}", reason: recreated from AMI }`,
    );

    const result = resolveResources(doc, [
      seen(VOL('vol-scratch'), 'aws-backup', 'EBS'),
      seen(VOL('vol-kept'), 'aws-backup', 'EBS'),
      seen('restic:db-01:/var/lib', 'restic'),
    ]);

    expect(result.declared.map((d) => d.resourceId)).toEqual([VOL('vol-kept')]);
    expect(result.excluded).toEqual([VOL('vol-scratch')]);
    expect(result.undeclared.map((u) => u.resourceId)).toEqual(['restic:db-01:/var/lib']);
  });

  it('gives the same answer whatever order the resources were seen in', () => {
    const doc = strategy('  - { select: { source: restic } }\n  - { select: { source: pgbackrest } }');
    const resources = ['restic:b:/x', 'pgbackrest:main', 'restic:a:/y', 'pgbackrest:aux'].map((id) =>
      seen(id, id.startsWith('restic') ? 'restic' : 'pgbackrest'),
    );

    const forward = resolveResources(doc, resources);
    const backward = resolveResources(doc, [...resources].reverse());

    expect(backward).toEqual(forward);
    expect(forward.declared.map((d) => d.resourceId)).toEqual([
      'restic:a:/y',
      'restic:b:/x',
      'pgbackrest:aux',
      'pgbackrest:main',
    ]);
  });

  it('resolves 10,000 seen resources against 20 selectors in well under a second', () => {
    const selectors = Array.from(
      { length: 20 },
      (_, i) => `  - { name: S${i}, select: { source: aws-backup, tags: { group: g${i} } } }`,
    ).join('\n');
    const doc = strategy(selectors);
    const resources = Array.from({ length: 10_000 }, (_, i) =>
      seen(VOL(`vol-${i}`), 'aws-backup', 'EBS', { group: `g${i % 25}` }),
    );

    const started = performance.now();
    const { declared, undeclared } = resolveResources(doc, resources);
    const elapsed = performance.now() - started;

    expect(declared).toHaveLength(8000);
    expect(undeclared).toHaveLength(2000);
    expect(elapsed).toBeLessThan(500);
  });
});

describe('routing', () => {
  it('lists the AWS accounts of a tenant once each, in declaration order, with their regions and role', () => {
    const doc = strategy(
      '  - { locator: x }',
      `sources:
  awsBackup:
    accounts:
      - { accountId: "444455556666", regions: [eu-west-1] }
      - { accountId: "111122223333", regions: [eu-west-3, eu-central-1], roleArn: "arn:aws:iam::111122223333:role/R" }`,
    );

    expect(awsAccountsOf(doc)).toEqual(['444455556666', '111122223333']);
    expect(awsBackupTargetsOf(doc)).toEqual([
      { accountId: '444455556666', regions: ['eu-west-1'] },
      {
        accountId: '111122223333',
        regions: ['eu-west-3', 'eu-central-1'],
        roleArn: 'arn:aws:iam::111122223333:role/R',
      },
    ]);
  });

  it('gives no account for a tenant without AWS Backup sources', () => {
    expect(awsAccountsOf(strategy('  - { locator: x }'))).toEqual([]);
  });
});
