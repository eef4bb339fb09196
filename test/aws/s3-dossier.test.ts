/**
 * The dossier's S3 side against moto's S3, on the dossier bucket as the stateful stack declares it: the streamed
 * multipart upload of the archive (S3MultipartSink through S3DossierObjects), its abort when the export fails,
 * the Abort step's clean-up of an upload a crashed run left behind, listing past one 1,000-key page, ranged
 * reads, and the CLI's presigned link (`dossier link` in --stack mode) fetched with a Range header.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { S3BlobStore } from '#adapters/aws/s3-blob-store.ts';
import { S3DossierObjects } from '#adapters/aws/s3-dossier-objects.ts';
import { download } from '#cli/download.ts';
import { openAwsPlatform } from '#wiring/aws/platform.ts';
import { bucketProperties, createBucketAsCloudFormation } from './stateful-template.ts';
import { recordCommands, uniqueName } from './support.ts';

const MiB = 1024 * 1024;
let bucket: string;

beforeAll(async () => {
  bucket = uniqueName('dossier');
  await createBucketAsCloudFormation(new S3Client({}), bucket, bucketProperties('dossier/'));
});

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Splits `data` into 1 MiB chunks, as the zip writer hands them over. */
function chunks(data: Buffer): Readable {
  return Readable.from(
    Array.from({ length: Math.ceil(data.length / MiB) }, (_, i) => data.subarray(i * MiB, (i + 1) * MiB)),
  );
}

async function pendingUploads(s3: S3Client, key: string): Promise<string[]> {
  const out = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
  return (out.Uploads ?? []).filter((u) => u.Key === key).map((u) => u.UploadId ?? '');
}

describe('the dossier objects on moto', () => {
  it('streams a 17 MiB archive into one multipart upload of 8 MiB parts, stored byte for byte', async () => {
    const client = new S3Client({});
    const sent = recordCommands(client);
    const objects = new S3DossierObjects({ bucket, client });
    const archive = randomBytes(17 * MiB);
    const key = 'dossiers/acme/v1/reversa-dossier-acme-v1.zip';

    await pipeline(chunks(archive), objects.createSink(key));

    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head).toMatchObject({ ContentLength: archive.length, ContentType: 'application/zip' });
    expect(head.ETag).toMatch(/-3"$/);
    expect(sent.filter((c) => c.command === 'UploadPartCommand')).toHaveLength(3);
    expect(sha256(await objects.getBytes(key, 20 * MiB))).toBe(sha256(archive));
    expect(await pendingUploads(client, key)).toEqual([]);
  });

  it('aborts the multipart upload when the export fails after its first part, leaving no object and no parts', async () => {
    const client = new S3Client({});
    const sent = recordCommands(client);
    let firstPartStored: () => void = () => undefined;
    const partStored = new Promise<void>((resolve) => {
      firstPartStored = resolve;
    });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName === 'UploadPartCommand') firstPartStored();
        return out;
      },
      { step: 'initialize', name: 'signalFirstPart' },
    );
    const key = 'dossiers/acme/v2/reversa-dossier-acme-v2.zip';
    const sink = new S3DossierObjects({ bucket, client }).createSink(key);
    sink.on('error', () => undefined);

    sink.write(randomBytes(9 * MiB));
    await partStored;
    sink.destroy(new Error('the assembly failed'));
    await finished(sink).catch(() => undefined);

    expect(sent.map((c) => c.command)).toContain('AbortMultipartUploadCommand');
    expect(await pendingUploads(client, key)).toEqual([]);
    await expect(client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('aborts, in the Abort step, the upload a crashed assembly left behind', async () => {
    const client = new S3Client({});
    const key = 'dossiers/acme/v3/reversa-dossier-acme-v3.zip';
    const left = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    await client.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: key,
        UploadId: left.UploadId,
        PartNumber: 1,
        Body: randomBytes(MiB),
      }),
    );

    const aborted = await new S3DossierObjects({ bucket, client }).abortUploads(key);

    expect(aborted).toBe(1);
    expect(await pendingUploads(client, key)).toEqual([]);
  });

  it('lists every object under a prefix holding more than one 1,000-key page', async () => {
    const objects = new S3DossierObjects({ bucket });
    const blobs = new S3BlobStore({ bucket });
    const prefix = 'runs/acme/many/';
    const keys = Array.from({ length: 1_005 }, (_, i) => `${prefix}${String(i).padStart(4, '0')}.json`);
    for (let i = 0; i < keys.length; i += 25) {
      await Promise.all(keys.slice(i, i + 25).map((k) => objects.put(k, '{}', 'application/json')));
    }

    const listed: string[] = [];
    for await (const o of objects.list(prefix)) listed.push(o.key);

    expect(listed).toEqual(keys);
    expect(await blobs.list(prefix)).toEqual(keys);
  });

  it('reads a byte range of an object (split dossier parts are read this way)', async () => {
    const objects = new S3DossierObjects({ bucket });
    const body = randomBytes(4_096);
    await objects.put('dossiers/acme/ranged.bin', body);

    const stream = await objects.open('dossiers/acme/ranged.bin', { start: 1_000, end: 1_999 });
    const read = Buffer.concat(await stream.toArray());

    expect(read).toEqual(body.subarray(1_000, 2_000));
  });
});

describe("the CLI's presigned dossier link on moto (--stack mode)", () => {
  /** The two stacks' outputs the CLI reads (infra/*-stack.ts), on placeholder stacks in moto's CloudFormation. */
  async function deployedStacks(prefix: string): Promise<void> {
    const cfn = new CloudFormationClient({});
    const outputs = (values: Record<string, string>) =>
      Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { Value: v }]));
    const stack = (name: string, values: Record<string, string>) =>
      cfn.send(
        new CreateStackCommand({
          StackName: name,
          TemplateBody: JSON.stringify({
            Resources: { Placeholder: { Type: 'AWS::SQS::Queue' } },
            Outputs: outputs(values),
          }),
        }),
      );
    const arn = (what: string) => `arn:aws:states:eu-west-3:123456789012:stateMachine:${what}`;
    await stack(`${prefix}Stateful`, {
      TableName: 'main',
      DataBucketName: 'data',
      EventBusName: 'reversa',
      AuditBucketName: 'audit',
      AuditKeyId: 'audit-key',
      DossierBucketName: bucket,
      DossierKeyId: 'dossier-key',
    });
    await stack(`${prefix}Workflows`, {
      VerifyStateMachineArn: arn('verify'),
      ExportStateMachineArn: arn('export'),
      RestoreTestStateMachineArn: arn('restore'),
      RestoreDispatcherArn: 'arn:aws:lambda:eu-west-3:123456789012:function:dispatch',
      RestoreSchedulerRoleArn: 'arn:aws:iam::123456789012:role/scheduler',
    });
  }

  it('serves a Range request on the presigned URL, and a download resumes from a partial file', async () => {
    const prefix = `Cli${uniqueName('').replaceAll('-', '')}`;
    await deployedStacks(prefix);
    const ctx = await openAwsPlatform(prefix, undefined);
    const body = randomBytes(300_000);
    const key = 'dossiers/acme/v9/reversa-dossier-acme-v9.zip';
    await new S3DossierObjects({ bucket }).put(key, body, 'application/zip');

    const url = await ctx.presignDossier(key, 3_600);
    const ranged = await fetch(url, { headers: { Range: 'bytes=100-199' } });
    // Read at once: moto closes the connection after the response, and undici asserts on a paused body then.
    const rangedBody = Buffer.from(await ranged.arrayBuffer());
    const dir = await mkdtemp(join(tmpdir(), 'reversa-download-'));
    await writeFile(join(dir, 'dossier.zip.part'), body.subarray(0, 123_456));
    const downloaded = await download(url, join(dir, 'dossier.zip'), { expectedSha256: sha256(body) });

    expect(url).toMatch(/X-Amz-Expires=3600/);
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 100-199/${body.length}`);
    expect(rangedBody).toEqual(body.subarray(100, 200));
    expect(downloaded).toMatchObject({ bytes: body.length, sha256: sha256(body), resumedFrom: 123_456 });
    expect(await readFile(join(dir, 'dossier.zip'))).toEqual(body);
    await ctx.close();
  });
});
