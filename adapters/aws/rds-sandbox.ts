/**
 * The aws-backup runner's RDS port on @aws-sdk/client-rds: the restored sandbox instance read back
 * (DescribeDBInstances) and deleted without a final snapshot. "Not found" is an answer (undefined), not an error;
 * every other SDK error is thrown as is, for the runner to classify (adapters/aws/sdk-errors.ts).
 */
import { type DBInstance, DeleteDBInstanceCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import type { RdsInstanceFacts, RdsSandboxPort } from './aws-backup-restore.ts';

const isNotFound = (e: unknown) => (e as { name?: string })?.name === 'DBInstanceNotFoundFault';

function factsOf(db: DBInstance): RdsInstanceFacts {
  const facts: RdsInstanceFacts = { status: db.DBInstanceStatus ?? 'unknown' };
  if (db.Endpoint?.Address) {
    facts.endpoint =
      db.Endpoint.Port === undefined
        ? { address: db.Endpoint.Address }
        : { address: db.Endpoint.Address, port: db.Endpoint.Port };
  }
  if (db.Engine !== undefined) facts.engine = db.Engine;
  if (db.AllocatedStorage !== undefined) facts.allocatedStorageGiB = db.AllocatedStorage;
  if (db.StorageEncrypted !== undefined) facts.encrypted = db.StorageEncrypted;
  return facts;
}

export function sdkRdsSandbox(client: RDSClient = new RDSClient({})): RdsSandboxPort {
  const describe = async (id: string): Promise<RdsInstanceFacts | undefined> => {
    try {
      const out = await client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
      const db = out.DBInstances?.find((d) => d.DBInstanceIdentifier === id);
      return db === undefined ? undefined : factsOf(db);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };
  return {
    async deleteDbInstance(input) {
      await client.send(new DeleteDBInstanceCommand(input));
    },
    dbInstanceStatus: async (id) => (await describe(id))?.status,
    describeDbInstance: describe,
  };
}
