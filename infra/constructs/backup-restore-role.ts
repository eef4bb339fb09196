import { Stack, Validations } from 'aws-cdk-lib';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/**
 * The role AWS Backup assumes to restore a recovery point in a restore test (StartRestoreJob IamRoleArn). AWS's
 * managed restore policies list what each resource type's restore needs (they change as AWS Backup adds types); the
 * restore targets are always new sandbox resources named by the test id, never an existing resource.
 */
export class BackupRestoreRole extends Role {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      description: 'Reversa restore tests: AWS Backup restores recovery points into sandbox resources with this role',
      assumedBy: new ServicePrincipal('backup.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
      }),
      managedPolicies: [
        ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForRestores'),
        ManagedPolicy.fromAwsManagedPolicyName('AWSBackupServiceRolePolicyForS3Restore'),
      ],
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores]',
      reason:
        'AWS Backup restores with the permissions of its documented service policy, maintained by AWS per resource type; only AWS Backup can assume this role and restores always target new sandbox resources.',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore]',
      reason:
        'S3 restores need the separate AWS-maintained S3 restore policy (AWS Backup documents both); the role is assumable by AWS Backup only.',
    });
  }
}
