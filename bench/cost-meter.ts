/**
 * Meters what the local cloud is asked, at the wire, the way AWS bills it: an HTTP proxy in front of dynalite and
 * s3rver that the adapters talk to instead (same SDK clients, same requests). DynamoDB: read and write request units
 * from the item sizes in each request and response (DynamoDB's rules: writes per 1 KB of item, reads per 4 KB,
 * eventually consistent reads at half, a Query or Scan summed over its page). S3: requests by price tier and bytes.
 * Other services (Lambda, Step Functions, KMS, EventBridge) are counted where the workflow calls them (bench/cost.ts).
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DynamoCounts {
  requests: Record<string, number>;
  readUnits: number;
  writeUnits: number;
}

export interface S3Counts {
  tier1: number;
  tier2: number;
  free: number;
  bytesIn: number;
  bytesOut: number;
}

export interface Meter {
  dynamo: DynamoCounts;
  s3: S3Counts;
}

export const emptyMeter = (): Meter => ({
  dynamo: { requests: {}, readUnits: 0, writeUnits: 0 },
  s3: { tier1: 0, tier2: 0, free: 0, bytesIn: 0, bytesOut: 0 },
});

type AttributeValue = Record<string, unknown>;

/** DynamoDB's item size: attribute names plus values (numbers ~1 byte per 2 digits + 1, sets and maps summed). */
function valueBytes(value: AttributeValue): number {
  const [type, v] = Object.entries(value)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
      return Buffer.byteLength(String(v));
    case 'N':
      return Math.ceil(String(v).replace(/^-|\./g, '').length / 2) + 1;
    case 'B':
      return Buffer.from(String(v), 'base64').length;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
    case 'NS':
    case 'BS':
      return (v as string[]).reduce((s, x) => s + valueBytes({ [type.slice(0, 1)]: x }), 0);
    case 'L':
      return 3 + (v as AttributeValue[]).reduce((s, x) => s + 1 + valueBytes(x), 0);
    case 'M':
      return 3 + itemBytes(v as Record<string, AttributeValue>);
    default:
      return 0;
  }
}

export function itemBytes(item: Record<string, AttributeValue> | undefined): number {
  if (item === undefined) return 0;
  return Object.entries(item).reduce((s, [name, value]) => s + Buffer.byteLength(name) + valueBytes(value), 0);
}

const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
const readUnits = (bytes: number, consistent: boolean) => Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);

// biome-ignore lint/suspicious/noExplicitAny: DynamoDB's JSON protocol bodies, read field by field below.
type Json = any;

function meterDynamo(counts: DynamoCounts, operation: string, req: Json, res: Json): void {
  counts.requests[operation] = (counts.requests[operation] ?? 0) + 1;
  switch (operation) {
    case 'PutItem':
      counts.writeUnits += writeUnits(itemBytes(req.Item));
      break;
    case 'UpdateItem':
      // The item after the update decides; without ReturnValues only the written attributes are known.
      counts.writeUnits += writeUnits(
        itemBytes(res?.Attributes) || itemBytes(req.Key) + itemBytes(req.ExpressionAttributeValues),
      );
      break;
    case 'DeleteItem':
      counts.writeUnits += writeUnits(itemBytes(res?.Attributes) || itemBytes(req.Key));
      break;
    case 'BatchWriteItem':
      for (const requests of Object.values(req.RequestItems ?? {}) as Json[][]) {
        for (const r of requests)
          counts.writeUnits += writeUnits(itemBytes(r.PutRequest?.Item ?? r.DeleteRequest?.Key));
      }
      break;
    case 'TransactWriteItems':
      for (const r of req.TransactItems ?? []) {
        const item = r.Put?.Item ?? r.Update?.Key ?? r.Delete?.Key ?? r.ConditionCheck?.Key;
        counts.writeUnits += 2 * writeUnits(itemBytes(item));
      }
      break;
    case 'GetItem':
      counts.readUnits += readUnits(itemBytes(res?.Item), req.ConsistentRead === true);
      break;
    case 'BatchGetItem':
      for (const [table, items] of Object.entries(res?.Responses ?? {}) as [string, Json[]][]) {
        const consistent = req.RequestItems?.[table]?.ConsistentRead === true;
        for (const item of items) counts.readUnits += readUnits(itemBytes(item), consistent);
      }
      break;
    case 'Query':
    case 'Scan': {
      const bytes = (res?.Items ?? []).reduce((s: number, item: Json) => s + itemBytes(item), 0);
      counts.readUnits += readUnits(bytes, req.ConsistentRead === true);
      break;
    }
    default:
      break;
  }
}

/** S3's price tiers: PUT, COPY, POST, LIST (tier 1); GET, HEAD and the rest (tier 2); DELETE is free. */
function meterS3(counts: S3Counts, method: string, url: string, bytesIn: number, bytesOut: number): void {
  const path = url.split('?')[0] ?? '';
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const onBucket = path.split('/').filter(Boolean).length <= 1;
  if (method === 'DELETE') counts.free++;
  else if (method === 'PUT' || method === 'POST' || (method === 'GET' && onBucket && !/(^|&)location/.test(query)))
    counts.tier1++;
  else counts.tier2++;
  counts.bytesIn += bytesIn;
  counts.bytesOut += bytesOut;
}

/** A proxy to `target` (`http://127.0.0.1:<port>`) that meters every exchange into `meter()`'s current counts. */
export async function meteringProxy(
  target: string,
  kind: 'dynamodb' | 's3',
  meter: () => Meter,
): Promise<{ url: string; close(): Promise<void> }> {
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const upstream = request(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          const out: Buffer[] = [];
          up.on('data', (c: Buffer) => out.push(c));
          up.on('end', () => {
            const response = Buffer.concat(out);
            try {
              if (kind === 'dynamodb') {
                const target = String(req.headers['x-amz-target'] ?? '');
                const operation = target.split('.').pop() ?? 'Unknown';
                const parse = (b: Buffer) => (b.length === 0 ? undefined : JSON.parse(b.toString('utf8')));
                if ((up.statusCode ?? 500) < 300) meterDynamo(meter().dynamo, operation, parse(body), parse(response));
                else meter().dynamo.requests[operation] = (meter().dynamo.requests[operation] ?? 0) + 1;
              } else {
                meterS3(meter().s3, req.method ?? 'GET', req.url ?? '/', body.length, response.length);
              }
            } catch {
              // A body that does not parse is still forwarded; the bench would rather under-count than fail.
            }
            res.writeHead(up.statusCode ?? 500, up.headers);
            res.end(response);
          });
        },
      );
      upstream.on('error', (error) => {
        res.writeHead(502);
        res.end(String(error));
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
