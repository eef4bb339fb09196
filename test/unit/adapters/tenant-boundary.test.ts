import { ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifySdkError } from '#adapters/aws/sdk-errors.ts';
import { partitionsOf } from '#adapters/local/tenant-boundary.ts';
import { objectKeyAllowed, partitionKeyAllowed, tenantObjectPrefixes } from '#core/tenancy/boundary.ts';
import { localAdapters } from '#wiring/local/adapters.ts';
import { type CloudFixture, startTestCloud } from '../../support/local-cloud.ts';
import { applyStrategy, strategyYaml } from '../../support/verify-fixtures.ts';

let fixture: CloudFixture;
const T = Date.parse('2026-05-01T00:00:00Z');
const point = (tenantId: string, resourceId: string) => ({
  tenantId,
  source: 'generic' as const,
  recoveryPointId: `rp-${tenantId}`,
  resourceId,
  status: 'AVAILABLE' as const,
  createdAt: T,
  observedAt: T,
});

beforeAll(async () => {
  fixture = await startTestCloud({ label: 'boundary' });
  for (const tenant of ['alpha', 'beta']) {
    await applyStrategy(fixture.adapters.strategies, strategyYaml(tenant, [`nas://${tenant}/share`]), T);
    await fixture.adapters.facts.putFacts({
      jobs: [],
      recoveryPoints: [point(tenant, `nas://${tenant}/share`)],
      resources: [],
    });
    await fixture.adapters.blobs.putText(`reports/${tenant}/latest.json`, `{"tenant":"${tenant}"}`);
  }
});
afterAll(() => fixture?.stop());

const alpha = () => localAdapters(fixture.cloud, undefined, { tenant: 'alpha' });

describe("a tenant's ports on the local cloud", () => {
  it('read and write the tenant’s own partitions and prefixes', async () => {
    const ports = alpha();

    const facts = await ports.facts.getFacts('alpha', ['nas://alpha/share'], 0);
    await ports.blobs.putText('runs/alpha/r1/plan.json', '{}');

    expect(facts.get('nas://alpha/share')?.recoveryPoints).toHaveLength(1);
    expect(await ports.strategies.getCurrent('alpha')).toBeDefined();
    expect(await ports.blobs.getText('reports/alpha/latest.json')).toBe('{"tenant":"alpha"}');
  });

  it("cannot read another tenant's facts, strategy or objects, and the refusal looks like IAM's", async () => {
    const ports = alpha();

    const attempts = [
      ports.facts.getFacts('beta', ['nas://beta/share'], 0),
      ports.strategies.getCurrent('beta'),
      ports.blobs.getText('reports/beta/latest.json'),
      ports.blobs.list('reports/'),
    ];

    for (const attempt of attempts) {
      const error = await attempt.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ name: 'AccessDenied', code: 'TenantBoundary' });
      expect(classifySdkError(error).kind).toBe('access-denied');
    }
  });

  it('writes nothing when a batch carries one record of another tenant', async () => {
    const ports = alpha();

    const write = ports.facts.putFacts({
      jobs: [],
      recoveryPoints: [
        { ...point('alpha', 'nas://alpha/other'), recoveryPointId: 'rp-mixed' },
        point('beta', 'nas://beta/planted'),
      ],
      resources: [],
    });

    await expect(write).rejects.toMatchObject({ name: 'AccessDenied' });
    const beta = await fixture.adapters.facts.getFacts('beta', ['nas://beta/planted'], 0);
    expect(beta.get('nas://beta/planted')?.recoveryPoints ?? []).toEqual([]);
  });

  it('refuses a Scan, which no partition key bounds', async () => {
    const scan = alpha().clients.dynamodb.send(new ScanCommand({ TableName: fixture.cloud.tableName }));

    await expect(scan).rejects.toThrow(/ScanCommand denied: a request no partition key bounds/);
  });
});

describe('the boundary description', () => {
  const tenantId = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/);

  it("never lets one tenant's partitions or prefixes match another's", () => {
    fc.assert(
      fc.property(tenantId, tenantId, fc.string({ maxLength: 20 }), (a, b, rest) => {
        fc.pre(a !== b);
        expect(partitionKeyAllowed(`T#${b}#${rest}`, a)).toBe(false);
        for (const prefix of tenantObjectPrefixes('data', b))
          expect(objectKeyAllowed('data', `${prefix}${rest}`, a)).toBe(false);
      }),
    );
  });

  it('reads the partition of a query through aliased attribute names, and of every batch request', () => {
    expect(
      partitionsOf('QueryCommand', {
        KeyConditionExpression: '#k = :v AND begins_with(sk, :p)',
        ExpressionAttributeNames: { '#k': 'pk' },
        ExpressionAttributeValues: { ':v': { S: 'T#alpha#AUDIT' }, ':p': { S: 'E#' } },
      }),
    ).toEqual(['T#alpha#AUDIT']);
    expect(
      partitionsOf('BatchWriteItemCommand', {
        RequestItems: {
          t: [{ PutRequest: { Item: { pk: { S: 'T#a#1' } } } }, { DeleteRequest: { Key: { pk: { S: 'T#b#2' } } } }],
        },
      }),
    ).toEqual(['T#a#1', 'T#b#2']);
    expect(partitionsOf('ScanCommand', {})).toBeUndefined();
  });
});
