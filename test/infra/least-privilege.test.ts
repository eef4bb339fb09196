import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '#core/errors.ts';
import type { ReversaFunction } from '../../infra/constructs/reversa-function.ts';
import type { TenantAccessRole } from '../../infra/constructs/tenant-access-role.ts';
import { buildTestApp } from './build-app.ts';
import {
  type Cfn,
  grantLines,
  resourceLabel,
  statementsOfRole,
  type TemplateJson,
  withoutCommon,
} from './iam-template.ts';

let built: ReturnType<typeof buildTestApp>;
let template: TemplateJson;

beforeAll(() => {
  built = buildTestApp({ restoreSourceBuckets: ['acme-backups'] });
  template = built.assembly.getStackByName('ReversaWorkflows').template as TemplateJson;
});

const logicalIdOf = (construct: { node: { defaultChild?: unknown } }): string =>
  built.workflows.getLogicalId(construct.node.defaultChild as never);

/** Every Lambda of the stack by a readable name (`persist`, `restore.record`, `dossier.abort`). */
function functionsByName(): Record<string, ReversaFunction> {
  const { functions, restoreTests, dossierExport, notifications } = built.workflows;
  return {
    ...functions,
    'notify.deliver': notifications.deliver,
    ...Object.fromEntries(Object.entries(restoreTests.functions).map(([key, fn]) => [`restore.${key}`, fn])),
    ...Object.fromEntries(Object.entries(dossierExport.functions).map(([key, fn]) => [`dossier.${key}`, fn])),
  };
}

const ownGrants = (fn: ReversaFunction): string[] =>
  withoutCommon(grantLines(statementsOfRole(template, logicalIdOf(fn.role))));
const tenantGrants = (tenant: TenantAccessRole | undefined): string[] =>
  tenant === undefined ? [] : grantLines(statementsOfRole(template, logicalIdOf(tenant.role)));

const READ = ['GetItem', 'BatchGetItem', 'Query', 'ConditionCheckItem'];
const WRITE = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'];
/** The main table through the tenant role: `T#<tenant>#…` only. */
const items = (level: 'read' | 'readWrite') =>
  (level === 'read' ? READ : [...READ, ...WRITE]).map((action) => `dynamodb:${action} <table> [T#<tenant>#*]`);
const idempotency = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'].map(
  (action) => `dynamodb:${action} <idempotency-table>`,
);
type Bucket = 'bucket' | 'audit-bucket' | 'dossier-bucket';
/** `s3:<action>` on the session tenant's keys under each prefix. */
const objects = (action: string, bucket: Bucket, ...prefixes: string[]) =>
  prefixes.map((prefix) => `s3:${action} <${bucket}>/${prefix}/<tenant>/*`);
const listing = (bucket: Bucket, ...prefixes: string[]) =>
  `s3:ListBucket <${bucket}> [${prefixes.map((prefix) => `${prefix}/<tenant>/*`).join(' ')}]`;
const auditLog = [
  ...objects('PutObject', 'audit-bucket', 'audit'),
  ...objects('GetObject', 'audit-bucket', 'audit'),
  listing('audit-bucket', 'audit'),
  'kms:Sign <audit-key>',
  'kms:GetPublicKey <audit-key>',
];
const sources = ['config', 'procedures', 'inventory'];
const secretsArn = 'arn:aws:secretsmanager:eu-west-3:111111111111:secret:*';
const readSecrets = [`secretsmanager:GetSecretValue ${secretsArn}`, `secretsmanager:DescribeSecret ${secretsArn}`];
const sandboxTables = 'arn:aws:dynamodb:eu-west-3:111111111111:table/*reversa-rt-*';
const sandboxBuckets = 'arn:aws:s3:::*reversa-rt-*';

interface Expected {
  /** The function's own role, besides logs, X-Ray, its DLQ and assuming its tenant role. */
  readonly own: readonly string[];
  /** Its tenant-access role; absent: the function has none. */
  readonly tenant?: readonly string[];
}

// Derived from the ports each handler's use case touches and from the credentials wiring/aws/*.ts gives each client
// (tenant's or the function's own): a new port call without its grant, or a grant nothing uses, fails here.
const expected: Record<string, Expected> = {
  s3Inbox: {
    own: idempotency,
    tenant: [
      ...items('readWrite'),
      ...objects('GetObject', 'bucket', 'inbox', 'processed'),
      ...objects('PutObject', 'bucket', 'processed', 'quarantine'),
      ...objects('DeleteObject', 'bucket', 'inbox'),
      listing('bucket', 'inbox', 'processed'),
    ],
  },
  backupEvent: {
    own: [
      ...idempotency,
      'dynamodb:GetItem <table> [AWS#*]',
      'backup:DescribeBackupVault arn:aws:backup:eu-west-3:111111111111:backup-vault:*',
    ],
    tenant: items('readWrite'),
  },
  reconcile: {
    own: [
      'dynamodb:Query <table> [TENANTS T#*#STRATEGY]',
      ...['backup:List*', 'backup:Describe*', 'backup:GetBackupPlan', 'backup:GetBackupSelection'].map((a) => `${a} *`),
      'sts:AssumeRole arn:aws:iam::*:role/ReversaReadBackup*',
    ],
    tenant: [
      ...items('readWrite'),
      ...objects('GetObject', 'bucket', 'runs'),
      ...objects('PutObject', 'bucket', 'runs'),
      listing('bucket', 'runs'),
    ],
  },
  loadStrategy: { own: [], tenant: [...items('read'), ...objects('PutObject', 'bucket', 'runs')] },
  evaluateBatch: {
    own: [],
    tenant: [...items('read'), ...objects('GetObject', 'bucket', 'runs'), ...objects('PutObject', 'bucket', 'runs')],
  },
  aggregate: {
    own: [],
    tenant: [
      ...items('read'),
      ...objects('GetObject', 'bucket', 'runs', 'reports'),
      ...objects('PutObject', 'bucket', 'runs', 'reports'),
    ],
  },
  persist: {
    own: [],
    tenant: [...items('readWrite'), ...objects('GetObject', 'bucket', 'runs'), ...auditLog, 'events:PutEvents <bus>'],
  },
  sweep: {
    own: [
      'dynamodb:Query <table> [TENANTS T#*#STATE]',
      'dynamodb:GetItem <table> [TENANTS T#*#STATE]',
      'states:StartExecution <verify-machine>',
    ],
  },
  'restore.prepare': { own: [], tenant: [...items('read'), ...objects('PutObject', 'bucket', 'runs')] },
  'restore.restoreS3Archive': {
    own: [
      's3:GetObject <bucket>/archives/*',
      's3:ListBucket <bucket> [archives/*]',
      's3:GetObject arn:aws:s3:::acme-backups/*',
      's3:ListBucket arn:aws:s3:::acme-backups',
    ],
    tenant: [
      ...objects('GetObject', 'bucket', 'runs', 'sandbox'),
      ...objects('PutObject', 'bucket', 'runs', 'sandbox'),
      ...objects('DeleteObject', 'bucket', 'sandbox'),
      ...objects('AbortMultipartUpload', 'bucket', 'sandbox'),
      listing('bucket', 'runs', 'sandbox'),
    ],
  },
  'restore.startAwsBackupRestore': {
    own: [
      'backup:GetRecoveryPointRestoreMetadata arn:aws:backup:eu-west-3:111111111111:backup-vault:*',
      'backup:StartRestoreJob arn:aws:backup:eu-west-3:111111111111:recovery-point:*',
      'backup:StartRestoreJob arn:aws:dynamodb:eu-west-3:111111111111:table/*/backup/*',
      'iam:PassRole <RestoreRole76935C4A>',
    ],
    tenant: [...objects('GetObject', 'bucket', 'runs'), ...objects('PutObject', 'bucket', 'runs')],
  },
  'restore.describeAwsBackupRestore': {
    own: [
      'backup:DescribeRestoreJob *',
      'ec2:DescribeVolumes *',
      'ec2:CreateTags arn:aws:ec2:eu-west-3:111111111111:volume/*',
    ],
    tenant: [...objects('GetObject', 'bucket', 'runs'), ...objects('PutObject', 'bucket', 'runs')],
  },
  'restore.validate': {
    own: [
      'backup:PutRestoreValidationResult *',
      'dynamodb:DescribeBackup arn:aws:dynamodb:eu-west-3:111111111111:table/*/backup/*',
      ...['DescribeTable', 'Scan', 'GetItem'].map((a) => `dynamodb:${a} ${sandboxTables}`),
      `s3:ListBucket ${sandboxBuckets}`,
      `s3:GetObject ${sandboxBuckets}/*`,
      'rds:DescribeDBInstances arn:aws:rds:eu-west-3:111111111111:db:*',
      'ec2:DescribeVolumes *',
    ],
    tenant: [...objects('GetObject', 'bucket', 'runs'), ...objects('PutObject', 'bucket', 'runs')],
  },
  'restore.cleanup': {
    own: [
      ...['DeleteTable', 'DescribeTable'].map((a) => `dynamodb:${a} ${sandboxTables}`),
      ...['ListBucket', 'ListBucketVersions', 'DeleteBucket'].map((a) => `s3:${a} ${sandboxBuckets}`),
      ...['DeleteObject', 'DeleteObjectVersion'].map((a) => `s3:${a} ${sandboxBuckets}/*`),
      ...['DeleteDBInstance', 'DescribeDBInstances'].map(
        (a) => `rds:${a} arn:aws:rds:eu-west-3:111111111111:db:*reversa-rt-*`,
      ),
      'ec2:DescribeVolumes *',
      'ec2:DeleteVolume arn:aws:ec2:eu-west-3:111111111111:volume/*',
    ],
    tenant: [
      ...objects('GetObject', 'bucket', 'runs', 'sandbox'),
      ...objects('PutObject', 'bucket', 'runs'),
      ...objects('DeleteObject', 'bucket', 'sandbox'),
      listing('bucket', 'runs', 'sandbox'),
    ],
  },
  'restore.record': {
    own: [],
    tenant: [
      ...items('readWrite'),
      ...objects('GetObject', 'bucket', 'runs', 'restore-tests'),
      ...objects('PutObject', 'bucket', 'runs', 'restore-tests'),
      listing('bucket', 'runs', 'restore-tests'),
      ...auditLog,
      'events:PutEvents <bus>',
    ],
  },
  'restore.dispatch': {
    own: ['states:StartExecution {"Ref":"RestoreTestStateMachine8DDF082D"}'],
    tenant: items('read'),
  },
  'notify.deliver': {
    // The delivery queue as an event source (receive, delete, visibility); e-mail. SendMessage (retries, dead
    // letters) is filtered with the DLQ grants here and checked in notifications.test.ts.
    own: [
      ...['ChangeMessageVisibility', 'DeleteMessage', 'GetQueueAttributes', 'GetQueueUrl', 'ReceiveMessage'].map(
        (a) => `sqs:${a} <NotifyQueueB34E1758>`,
      ),
      'sns:Publish {"Ref":"NotifyEmailTopicB5A79417"}',
      'kms:Decrypt <NotifyEmailKey3BE00820>',
      'kms:GenerateDataKey <NotifyEmailKey3BE00820>',
    ],
    tenant: [...items('readWrite'), ...readSecrets],
  },
  'dossier.prepare': {
    own: [],
    tenant: [
      ...items('readWrite'),
      ...objects('GetObject', 'bucket', 'runs', ...sources),
      ...objects('PutObject', 'bucket', 'runs'),
      listing('bucket', 'runs', ...sources),
      'secretsmanager:ListSecrets *',
    ],
  },
  'dossier.gather': {
    own: ['tag:GetResources *', 'sts:AssumeRole arn:aws:iam::*:role/ReversaReadBackup*'],
    tenant: [
      ...items('readWrite'),
      ...objects('GetObject', 'bucket', 'runs', ...sources, 'restore-tests'),
      ...objects('PutObject', 'bucket', 'runs'),
      ...objects('AbortMultipartUpload', 'bucket', 'runs'),
      listing('bucket', 'runs', ...sources, 'restore-tests'),
      ...auditLog,
      'secretsmanager:ListSecrets *',
      ...readSecrets,
    ],
  },
  'dossier.checklist': {
    own: [],
    tenant: [
      ...items('read'),
      ...objects('GetObject', 'bucket', 'runs', ...sources),
      ...objects('PutObject', 'bucket', 'runs'),
      listing('bucket', 'runs', ...sources),
    ],
  },
  'dossier.assemble': {
    own: [],
    tenant: [
      ...items('read'),
      ...objects('GetObject', 'bucket', 'runs', ...sources),
      ...objects('PutObject', 'bucket', 'runs'),
      listing('bucket', 'runs', ...sources),
      ...objects('PutObject', 'dossier-bucket', 'dossiers'),
      ...objects('AbortMultipartUpload', 'dossier-bucket', 'dossiers'),
      'kms:GetPublicKey <dossier-key>',
    ],
  },
  'dossier.sign': {
    own: [],
    tenant: [
      ...objects('GetObject', 'bucket', 'runs'),
      ...objects('PutObject', 'dossier-bucket', 'dossiers'),
      'kms:Sign <dossier-key>',
      'kms:GetPublicKey <dossier-key>',
    ],
  },
  'dossier.publish': {
    own: [],
    tenant: [
      ...items('readWrite'),
      ...objects('GetObject', 'bucket', 'runs'),
      ...objects('GetObject', 'dossier-bucket', 'dossiers'),
      listing('dossier-bucket', 'dossiers'),
    ],
  },
  'dossier.audit': {
    own: [],
    tenant: [
      ...items('readWrite'),
      ...objects('GetObject', 'bucket', 'runs'),
      ...objects('DeleteObject', 'bucket', 'runs'),
      listing('bucket', 'runs'),
      ...auditLog,
    ],
  },
  'dossier.abort': {
    own: [],
    tenant: [
      ...items('readWrite'),
      ...objects('GetObject', 'bucket', 'runs'),
      ...objects('DeleteObject', 'bucket', 'runs'),
      listing('bucket', 'runs'),
      ...objects('AbortMultipartUpload', 'dossier-bucket', 'dossiers'),
      ...objects('DeleteObject', 'dossier-bucket', 'dossiers'),
      listing('dossier-bucket', 'dossiers'),
      's3:ListBucketMultipartUploads <dossier-bucket>',
    ],
  },
};

describe('least privilege', () => {
  it('covers every function of the stack', () => {
    expect(Object.keys(functionsByName()).sort()).toEqual(Object.keys(expected).sort());
  });

  for (const [name, { own, tenant }] of Object.entries(expected)) {
    it(`grants ${name} exactly what its use case touches, the tenant's data only through its tenant-access role`, () => {
      const fn = functionsByName()[name] as ReversaFunction;
      const assume =
        fn.tenantAccess === undefined
          ? []
          : [
              `sts:AssumeRole <${logicalIdOf(fn.tenantAccess.role)}>`,
              `sts:TagSession <${logicalIdOf(fn.tenantAccess.role)}>`,
            ];
      expect(ownGrants(fn)).toEqual([...own, ...assume].sort());
      expect(fn.tenantAccess === undefined).toBe(tenant === undefined);
      expect(tenantGrants(fn.tenantAccess)).toEqual([...(tenant ?? [])].sort());
    });
  }

  it('gives the restic task the repositories on its own role, and the plan, sandbox and password through its tenant role', () => {
    const restore = built.workflows.restoreTests;
    const taskRole = logicalIdOf(restore.restic.taskDefinition.taskRole as never);
    const tenantRole = logicalIdOf((restore.resticTenantAccess as TenantAccessRole).role);
    expect(grantLines(statementsOfRole(template, taskRole))).toEqual(
      [
        's3:GetObject arn:aws:s3:::acme-backups/*',
        's3:ListBucket arn:aws:s3:::acme-backups',
        's3:PutObject arn:aws:s3:::acme-backups/locks/*',
        's3:DeleteObject arn:aws:s3:::acme-backups/locks/*',
        `sts:AssumeRole <${tenantRole}>`,
        `sts:TagSession <${tenantRole}>`,
      ].sort(),
    );
    expect(tenantGrants(restore.resticTenantAccess)).toEqual(
      [
        ...objects('GetObject', 'bucket', 'runs', 'sandbox'),
        ...objects('PutObject', 'bucket', 'runs', 'sandbox'),
        ...objects('DeleteObject', 'bucket', 'sandbox'),
        listing('bucket', 'runs', 'sandbox'),
        ...readSecrets,
      ].sort(),
    );
  });

  it('lets no tenant role touch the audit log but to append and read it: no delete, no other bucket of it', () => {
    const holders = Object.entries(functionsByName()).filter(([, fn]) =>
      tenantGrants(fn.tenantAccess).some((grant) => grant.includes('<audit-bucket>')),
    );
    expect(holders.map(([name]) => name).sort()).toEqual(
      ['persist', 'restore.record', 'dossier.gather', 'dossier.audit'].sort(),
    );
    for (const [, fn] of holders) {
      const audit = tenantGrants(fn.tenantAccess).filter((grant) => grant.includes('<audit-bucket>'));
      expect(audit.filter((grant) => !/^s3:(PutObject|GetObject|ListBucket) /.test(grant))).toEqual([]);
    }
  });

  it('lets only the audit-log writers sign with the audit key and only dossier Sign with the dossier key', () => {
    const signers = (key: string) =>
      Object.entries(functionsByName())
        .filter(([, fn]) => tenantGrants(fn.tenantAccess).includes(`kms:Sign <${key}>`))
        .map(([name]) => name)
        .sort();
    expect(signers('audit-key')).toEqual(['dossier.audit', 'dossier.gather', 'persist', 'restore.record']);
    expect(signers('dossier-key')).toEqual(['dossier.sign']);
  });

  it('admits to sign, by key policy, exactly the tenant roles of those writers, by their fixed names', () => {
    const signers = (key: typeof built.stateful.auditSigningKey) =>
      key.signers.map((pattern) => resourceLabel(built.stateful.resolve(pattern)).replace(/^.*:role\//, ''));
    // The portal API appends audit entries (reads, links) and seals: its tenant role signs too.
    expect(signers(built.stateful.auditSigningKey).sort()).toEqual(
      [
        ...['Persist', 'Record', 'Gather', 'DxAudit', 'IssueSlaStatements'].map(
          (id) => `ReversaWorkflows-${id}-Tenant`,
        ),
        'ReversaPortal-ApiHandler-Tenant',
      ].sort(),
    );
    expect(signers(built.stateful.dossierSigningKey)).toEqual(['ReversaWorkflows-DxSign-Tenant']);
    const named = (name: string) => {
      const role = functionsByName()[name]?.tenantAccess?.role;
      return (role?.node.defaultChild as { roleName?: string } | undefined)?.roleName;
    };
    expect(named('persist')).toBe('ReversaWorkflows-Persist-Tenant');
    expect(named('dossier.sign')).toBe('ReversaWorkflows-DxSign-Tenant');
  });

  it('refuses a stack prefix so long that a tenant-access role name would pass 64 characters', () => {
    const build = () => buildTestApp({ stackPrefix: 'ReversaForAVeryLongClientName' });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/ReversaForAVeryLongClientNameWorkflows is too long/);
    // The longest: <prefix>Workflows-RestoreDescribeAwsBackup-Tenant.
    expect(() => buildTestApp({ stackPrefix: 'A'.repeat(23) })).not.toThrow();
    expect(() => buildTestApp({ stackPrefix: 'A'.repeat(24) })).toThrow(
      /AAAAWorkflows-RestoreDescribeAwsBackup-Tenant/,
    );
  });

  it('lets only Persist and Record put events (what notifications are told), through the tenant role; EmitFindings, RecordFailure and Notify are state machine tasks', () => {
    for (const [name, fn] of Object.entries(functionsByName())) {
      const tellsNotifications = name === 'persist' || name === 'restore.record';
      expect(
        ownGrants(fn).filter((grant) => grant.startsWith('events:')),
        name,
      ).toEqual([]);
      expect(
        tenantGrants(fn.tenantAccess).filter((grant) => grant.startsWith('events:')),
        name,
      ).toEqual(tellsNotifications ? ['events:PutEvents <bus>'] : []);
    }
  });

  it('gives the read-only verify and restore steps no DynamoDB write action', () => {
    for (const name of ['loadStrategy', 'evaluateBatch', 'aggregate', 'restore.prepare', 'dossier.checklist']) {
      const fn = functionsByName()[name] as ReversaFunction;
      const statements: Cfn[] = statementsOfRole(template, logicalIdOf((fn.tenantAccess as TenantAccessRole).role));
      const actions: string[] = statements.flatMap((statement) => [statement.Action].flat());
      expect(
        actions.filter((action) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(action)),
        name,
      ).toEqual([]);
    }
  });
});
