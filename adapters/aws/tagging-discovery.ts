/**
 * Discovers a tenant's AWS resources for the dossier inventory through the Resource Groups Tagging
 * API: every resource tagged `reversa:tenant=<id>`, region by region (the API is regional), all
 * pages. Tags give the human fields (Name, owner, criticality) a registry would otherwise hold.
 */
import {
  GetResourcesCommand,
  type GetResourcesCommandOutput,
  type ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { CRITICALITIES, type Criticality, type InventoryAsset } from '#core/dossier/contents/inventory.ts';
import { ConfigError, ReversaError, TransientError, ValidationError } from '#core/errors.ts';
import { classifySdkError } from './sdk-errors.ts';

export const TENANT_TAG_KEY = 'reversa:tenant';
/** Tags read into inventory fields (first one present wins). */
export const NAME_TAGS = ['Name', 'name'];
export const OWNER_TAGS = ['reversa:owner', 'owner', 'Owner'];
export const CRITICALITY_TAGS = ['reversa:criticality', 'criticality', 'Criticality'];
/** A tenant with more tagged resources than this is a tagging mistake (a tag on an entire account). */
export const MAX_DISCOVERED = 100_000;

export interface DiscoverOptions {
  tenantId: string;
  regions: readonly string[];
  /** One client per region (each bound to its region and the tenant's account credentials). */
  clientFor(region: string): ResourceGroupsTaggingAPIClient;
  maxResources?: number;
}

export function mapTaggingError(error: unknown, region: string): ReversaError {
  const { kind, name } = classifySdkError(error);
  if (kind === 'transient') {
    return new TransientError(
      'TaggingUnavailable',
      `Resource Groups Tagging GetResources in ${region} failed transiently (${name})`,
      {
        cause: error,
      },
    );
  }
  if (kind === 'access-denied') {
    return new ConfigError(
      'TaggingAccessDenied',
      `Resource Groups Tagging GetResources in ${region} was denied: the role needs tag:GetResources`,
      { cause: error },
    );
  }
  return new ReversaError('TaggingError', `Resource Groups Tagging GetResources in ${region} failed (${name})`, {
    cause: error,
  });
}

interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return {
    partition: parts[1]!,
    service: parts[2]!,
    region: parts[3]!,
    account: parts[4]!,
    resource: parts.slice(5).join(':'),
  };
}

/** `ec2:volume`, `rds:db`, `s3` (bucket ARNs have no resource type), `dynamodb:table`. */
export function resourceTypeOf(arn: ParsedArn): string {
  const m = /^([A-Za-z0-9-]+)[/:]/.exec(arn.resource);
  return m ? `${arn.service}:${m[1]}` : arn.service;
}

function firstTag(tags: Record<string, string>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = tags[key];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/** One tagged resource → an inventory asset (id = ARN, so it joins with aws-backup locators as-is). */
export function assetFromTaggedResource(
  arnText: string,
  tagList: readonly { Key?: string | undefined; Value?: string | undefined }[],
): InventoryAsset | undefined {
  const arn = parseArn(arnText);
  if (!arn) return undefined;
  const tags: Record<string, string> = {};
  for (const t of tagList) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
  const lastSegment = arn.resource.split(/[/:]/).pop() || arn.resource;
  const asset: InventoryAsset = {
    id: arnText,
    type: resourceTypeOf(arn),
    name: (firstTag(tags, NAME_TAGS) ?? lastSegment).slice(0, 256),
    dependencies: [],
    contracts: [],
    locators: [],
    tags,
  };
  if (arn.account) asset.account = arn.account;
  if (arn.region) asset.region = arn.region;
  const owner = firstTag(tags, OWNER_TAGS);
  if (owner) asset.owner = owner.slice(0, 256);
  const criticality = firstTag(tags, CRITICALITY_TAGS)?.toLowerCase();
  if (criticality && (CRITICALITIES as readonly string[]).includes(criticality)) {
    asset.criticality = criticality as Criticality;
  }
  return asset;
}

/**
 * Lists every resource tagged `reversa:tenant=<tenantId>` in each region, following PaginationToken
 * until it is empty. Global resources reported in several regions (S3 buckets, IAM) are kept once.
 * Sorted by id.
 */
export async function discoverTaggedResources(options: DiscoverOptions): Promise<InventoryAsset[]> {
  const max = options.maxResources ?? MAX_DISCOVERED;
  const byId = new Map<string, InventoryAsset>();
  for (const region of [...new Set(options.regions)]) {
    const client = options.clientFor(region);
    let token: string | undefined;
    do {
      let page: GetResourcesCommandOutput;
      try {
        page = await client.send(
          new GetResourcesCommand({
            TagFilters: [{ Key: TENANT_TAG_KEY, Values: [options.tenantId] }],
            ResourcesPerPage: 100,
            ...(token ? { PaginationToken: token } : {}),
          }),
        );
      } catch (error) {
        throw mapTaggingError(error, region);
      }
      for (const mapping of page.ResourceTagMappingList ?? []) {
        if (!mapping.ResourceARN || byId.has(mapping.ResourceARN)) continue;
        const asset = assetFromTaggedResource(mapping.ResourceARN, mapping.Tags ?? []);
        if (asset) byId.set(asset.id, asset);
        if (byId.size > max) {
          throw new ValidationError('TooManyTaggedResources', [
            {
              file: `aws:${region}`,
              path: '',
              message: `more than ${max} resources carry ${TENANT_TAG_KEY}=${options.tenantId}: check the tagging`,
            },
          ]);
        }
      }
      token = page.PaginationToken || undefined;
    } while (token);
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
