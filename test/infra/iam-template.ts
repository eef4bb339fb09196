import { SESSION_TENANT } from '../../infra/tenant-grants.ts';

/**
 * Reading IAM out of a synthesized template: the statements of a role's policies, and each grant as a short line
 * (`s3:GetObject <bucket>/runs/<tenant>/*`, `dynamodb:Query <table> [T#<tenant>#*]`) that the least-privilege tables
 * of the infra tests compare with.
 */

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation is untyped JSON; the assertions give it shape.
export type Cfn = any;

export interface TemplateJson {
  Resources: Record<string, { Type: string; Properties: Record<string, Cfn> }>;
}

/** Every statement of the inline and managed policies attached to the role `roleLogicalId`, and of its own inline policies. */
export function statementsOfRole(template: TemplateJson, roleLogicalId: string): Cfn[] {
  const attached = Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy')
    .filter((r) => (r.Properties.Roles ?? []).some((role: { Ref?: string }) => role.Ref === roleLogicalId))
    .flatMap((r) => r.Properties.PolicyDocument.Statement);
  const inline = (template.Resources[roleLogicalId]?.Properties.Policies ?? []).flatMap(
    (p: Cfn) => p.PolicyDocument.Statement,
  );
  return [...attached, ...inline];
}

/** The session tenant as the labels show it. */
const TENANT = SESSION_TENANT;

/** A resource as readable text: joins flattened, the partition as `aws`, imports by what they name. */
export function resourceLabel(resource: Cfn): string {
  if (typeof resource === 'string') return resource.replaceAll(TENANT, '<tenant>');
  if (resource['Fn::Join']) return resource['Fn::Join'][1].map(resourceLabel).join(resource['Fn::Join'][0]);
  if (resource.Ref === 'AWS::Partition') return 'aws';
  if (resource.Ref === 'AWS::Region') return '<region>';
  if (resource.Ref === 'AWS::AccountId') return '<account>';
  if (String(resource.Ref).startsWith('VerifyBackupsStateMachine')) return '<verify-machine>';
  const imported = resource['Fn::ImportValue'];
  if (typeof imported === 'string') {
    if (imported.includes('AuditBucketArn')) return '<audit-bucket>';
    if (imported.includes('DossierBucketArn')) return '<dossier-bucket>';
    if (imported.includes('AuditSigningKey')) return '<audit-key>';
    if (imported.includes('DossierSigningKey')) return '<dossier-key>';
    if (imported.includes('IdempotencyTable')) return '<idempotency-table>';
    if (imported.includes('Table')) return '<table>';
    if (imported.includes('DataBucketArn')) return '<bucket>';
    if (imported.includes('EventBus')) return '<bus>';
  }
  if (resource['Fn::GetAtt']) return `<${resource['Fn::GetAtt'][0]}>`;
  return JSON.stringify(resource);
}

/** The condition values a grant line shows: the partitions (LeadingKeys) or prefixes (s3:prefix) it is limited to. */
function conditionLabel(statement: Cfn): string {
  const leading = statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
  const prefixes = statement.Condition?.StringLike?.['s3:prefix'];
  const values = leading ?? prefixes;
  return values === undefined ? '' : ` [${[values].flat().map(resourceLabel).join(' ')}]`;
}

/** `action resource [limits]` lines of statements, sorted. */
export function grantLines(statements: readonly Cfn[]): string[] {
  return statements
    .flatMap((statement) =>
      [statement.Action]
        .flat()
        .flatMap((action: string) =>
          [statement.Resource]
            .flat()
            .map((resource: Cfn) => `${action} ${resourceLabel(resource)}${conditionLabel(statement)}`),
        ),
    )
    .sort();
}

/** Grant lines without what every function role has (logs, X-Ray, its dead-letter queue). */
export const withoutCommon = (lines: readonly string[]): string[] =>
  lines.filter((line) => !/^(logs:|xray:|sqs:SendMessage )/.test(line));
