import type { StrategyDocument } from './schema.ts';

/** The AWS accounts whose AWS Backup events and API results belong to this tenant, in declaration order, unique. */
export function awsAccountsOf(doc: StrategyDocument): string[] {
  return [...new Set((doc.sources?.awsBackup?.accounts ?? []).map((a) => a.accountId))];
}

/** Account and regions to reconcile with the AWS Backup APIs, with the role to assume when one is set. */
export function awsBackupTargetsOf(
  doc: StrategyDocument,
): { accountId: string; regions: string[]; roleArn?: string }[] {
  return (doc.sources?.awsBackup?.accounts ?? []).map((a) =>
    a.roleArn === undefined
      ? { accountId: a.accountId, regions: [...a.regions] }
      : { accountId: a.accountId, regions: [...a.regions], roleArn: a.roleArn },
  );
}
