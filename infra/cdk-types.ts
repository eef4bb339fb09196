import type { ITable, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { EventBus, IEventBus } from 'aws-cdk-lib/aws-events';
import type { Bucket, IBucket } from 'aws-cdk-lib/aws-s3';

// CDK's declarations type some optional class members as `T | undefined` where the interface says `T`
// (e.g. Bucket.isWebsite), so under exactOptionalPropertyTypes a CDK class is not assignable to its own
// interface. The instances are what CDK itself passes around; these are the only casts bridging the typings.

export const asIBucket = (bucket: Bucket): IBucket => bucket as IBucket;
export const asITable = (table: Table): ITable => table as ITable;
export const asIEventBus = (bus: EventBus): IEventBus => bus as IEventBus;
