import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { catalogueEntry, restoreCommands, shellQuote, writeCatalogue } from '#core/dossier/contents/catalogue.ts';
import type { RecoveryPoint, ResourceFacts } from '#core/model.ts';
import type { FactStore } from '#core/ports.ts';
import { parseStrategy } from '#core/strategy/parse.ts';
import { resolveResources } from '#core/strategy/resolve.ts';

const T0 = Date.parse('2026-11-01T02:00:00Z');
const DAY = 86_400_000;

const strategy = parseStrategy(
  `apiVersion: reversa/v1
tenant: { id: acme, name: ACME }
timezone: Europe/Paris
defaults: { rpo: 24h, retention: 35d }
resources:
  - { locator: "arn:aws:rds:eu-west-3:111122223333:db:orders", name: Orders, type: RDS }
  - { locator: "restic:web-1:/etc,/srv", name: Web files }
  - { locator: "pgbackrest:main", name: Main cluster }
  - { locator: crm-export, name: CRM export, source: generic }
`,
  'acme.yaml',
).document;
const declared = resolveResources(strategy, []).declared;

function point(resourceId: string, source: RecoveryPoint['source'], id: string, extra: Partial<RecoveryPoint> = {}) {
  return {
    tenantId: 'acme',
    source,
    recoveryPointId: id,
    resourceId,
    status: 'AVAILABLE',
    createdAt: T0,
    observedAt: T0,
    ...extra,
  } satisfies RecoveryPoint;
}

const POINTS: RecoveryPoint[] = [
  point(
    'arn:aws:rds:eu-west-3:111122223333:db:orders',
    'aws-backup',
    'arn:aws:backup:eu-west-3:111122223333:recovery-point:rp-1',
    {
      location: 'acme-vault',
      region: 'eu-west-3',
      sizeBytes: 1000,
      encrypted: true,
      encryptionKeyId: 'arn:aws:kms:eu-west-3:111122223333:key/k1',
      immutableUntil: T0 + 30 * DAY,
      lockMode: 'vault-lock',
    },
  ),
  point(
    'arn:aws:rds:eu-west-3:111122223333:db:orders',
    'aws-backup',
    'arn:aws:backup:eu-west-3:111122223333:recovery-point:rp-0',
    {
      createdAt: T0 - DAY,
      status: 'DELETED',
    },
  ),
  point('restic:web-1:/etc,/srv', 'restic', '4bba301e0b2c1f1a7cd8c6a2f9d0b1c2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8', {
    location: 's3:s3.amazonaws.com/acme backups/repo',
  }),
  point('pgbackrest:main', 'pgbackrest', 'pgbackrest:main:20261101-020000F', { location: 'repo2' }),
  point('crm-export', 'generic', 'crm-2026-11-01', { location: 'nas-1' }),
];

/** A FactStore over an array: enough for the catalogue, which only reads. */
class ArrayFactStore implements FactStore {
  calls: string[][] = [];
  constructor(private readonly points: RecoveryPoint[]) {}
  async putFacts() {
    return { written: 0, stale: 0 };
  }
  async getFacts(_tenantId: string, ids: readonly string[], since: number) {
    this.calls.push([...ids]);
    const out = new Map<string, ResourceFacts>();
    for (const id of ids) {
      out.set(id, {
        jobs: [],
        recoveryPoints: this.points
          .filter((p) => p.resourceId === id && p.createdAt >= since)
          .sort((a, b) => a.createdAt - b.createdAt),
      });
    }
    return out;
  }
  async listSeenResources() {
    return [];
  }
}

const sink = () => {
  const chunks: string[] = [];
  return { chunks, write: (c: string) => void chunks.push(c), text: () => chunks.join('') };
};

describe('restore hints per source', () => {
  it('aws-backup: reads the restore metadata, then starts the restore job with the recovery point ARN', () => {
    const commands = restoreCommands('aws-backup', POINTS[0]!, { resourceId: 'x', resourceType: 'RDS' });

    expect(commands[0]).toBe(
      'aws backup get-recovery-point-restore-metadata --backup-vault-name acme-vault --recovery-point-arn arn:aws:backup:eu-west-3:111122223333:recovery-point:rp-1 --region eu-west-3 --query RestoreMetadata > restore-metadata.json',
    );
    expect(commands[2]).toBe(
      'aws backup start-restore-job --recovery-point-arn arn:aws:backup:eu-west-3:111122223333:recovery-point:rp-1 --iam-role-arn <restore-role-arn> --metadata file://restore-metadata.json --resource-type RDS --region eu-west-3',
    );
  });

  it('restic: restores the snapshot id from its repository, quoting a repository with spaces', () => {
    const commands = restoreCommands('restic', POINTS[2]!, { resourceId: 'restic:web-1:/etc,/srv' });

    expect(commands).toContain(
      "restic -r 's3:s3.amazonaws.com/acme backups/repo' restore 4bba301e0b2c1f1a7cd8c6a2f9d0b1c2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8 --target <empty-directory>",
    );
  });

  it('pgbackrest: restores the stanza at the backup label, from the right repository', () => {
    const commands = restoreCommands('pgbackrest', POINTS[3]!, { resourceId: 'pgbackrest:main' });

    expect(commands).toContain('pgbackrest --stanza=main --repo=2 --set=20261101-020000F restore');
  });

  it('generic: names the tool the reports came from', () => {
    const commands = restoreCommands('generic', POINTS[4]!, { resourceId: 'crm-export' }, { toolOf: () => 'borg' });

    expect(commands).toEqual([
      '# restore recovery point crm-2026-11-01 from nas-1 with borg, following its own restore procedure',
    ]);
  });

  it('quotes words so that the shell reads them back unchanged', () => {
    for (const word of ["it's", 'a b', '$HOME', 'plain-arn:aws/x', '`x`', 'a"b']) {
      expect(execFileSync('sh', ['-c', `printf %s ${shellQuote(word)}`], { encoding: 'utf8' })).toBe(word);
    }
  });
});

describe('the backup catalogue', () => {
  it('lists every point newest first with location, time, size, key and immutability; no restore for a deleted point', () => {
    const facts = { jobs: [], recoveryPoints: POINTS.slice(0, 2).reverse() };

    const entry = catalogueEntry(declared[0]!, facts);

    expect(entry.recoveryPoints.map((p) => [p.recoveryPointId.slice(-4), p.status, p.restore !== undefined])).toEqual([
      ['rp-1', 'AVAILABLE', true],
      ['rp-0', 'DELETED', false],
    ]);
    expect(entry.recoveryPoints[0]).toMatchObject({
      createdAt: '2026-11-01T02:00:00.000Z',
      sizeBytes: 1000,
      location: 'acme-vault',
      encryptionKeyId: 'arn:aws:kms:eu-west-3:111122223333:key/k1',
      immutableUntil: '2026-12-01T02:00:00.000Z',
      lockMode: 'vault-lock',
    });
    expect(entry).toMatchObject({ rpo: '24h', retention: '35d', resourceType: 'RDS' });
  });

  it('streams valid catalogue.json and catalogue.md resource by resource, in batches', async () => {
    const store = new ArrayFactStore(POINTS);
    const json = sink();
    const markdown = sink();
    const seen: string[] = [];

    const summary = await writeCatalogue(
      {
        tenantId: 'acme',
        resources: declared,
        facts: store,
        since: T0 - 10 * DAY,
        generatedAt: T0 + DAY,
        batchSize: 3,
        onEntry: (e) => void seen.push(e.resourceId),
      },
      { json, markdown },
    );

    const parsed = JSON.parse(json.text());
    expect(parsed.resources.map((r: { resourceId: string }) => r.resourceId)).toEqual(
      declared.map((d) => d.resourceId),
    );
    expect(parsed.generatedAt).toBe('2026-11-02T02:00:00.000Z');
    expect(store.calls.map((c) => c.length)).toEqual([3, 1]);
    expect(seen).toHaveLength(4);
    expect(summary).toEqual({ resources: 4, recoveryPoints: 5, restorable: 4, bytes: 1000 });
    const md = markdown.text();
    for (const heading of [
      '### AWS Backup (aws CLI)',
      '### restic',
      '### pgBackRest',
      '### Other tools',
      '## Orders',
      '## Main cluster',
    ]) {
      expect(md).toContain(heading);
    }
    expect(md).toContain('pgbackrest --stanza=main --repo=2 --set=20261101-020000F restore');
    expect(json.chunks.length).toBeGreaterThan(4);
  });

  it('says so when a resource has no recovery point', async () => {
    const markdown = sink();

    await writeCatalogue(
      { tenantId: 'acme', resources: declared.slice(0, 1), facts: new ArrayFactStore([]), since: 0, generatedAt: T0 },
      { json: sink(), markdown },
    );

    expect(markdown.text()).toContain('No recovery point is recorded for this resource.');
  });
});
