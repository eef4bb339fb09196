import { Aws, Lazy, RemovalPolicy } from 'aws-cdk-lib';
import { AccountRootPrincipal, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Alias, Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * What another stack needs to know about a signing key: names for env vars and IAM grants, and a way to be
 * admitted by the key policy. Kept as a small interface so the workflows stack never holds the Key itself.
 */
export interface SigningKeyRef {
  readonly keyId: string;
  readonly keyArn: string;
  readonly aliasName: string;
  /**
   * Admits the IAM roles whose ARN matches `roleArnPattern` (ArnLike: an exact ARN such as
   * `arn:aws:iam::123:role/Stack-Persist-Tenant`, or a prefix such as `arn:aws:iam::123:role/Stack-FnRoleAB12CD34-*`)
   * to kms:Sign through the key policy. The role still needs kms:Sign in its own policy: both must allow.
   * The pattern must hold no token of another stack (only literals and pseudo parameters), or the stacks would form a cycle.
   */
  allowSigningBy(roleArnPattern: string): void;
}

export interface SigningKeyProps {
  /** Alias, e.g. `alias/reversa-audit-signing`; what operators and auditors type. */
  readonly aliasName: string;
  /** What the key signs, for the console. */
  readonly description: string;
}

/**
 * Key-management actions the account keeps through IAM. kms:Sign is deliberately absent: without it, an
 * administrator whose IAM policy says `kms:*` still cannot sign. kms:Get* includes GetPublicKey, which is what
 * auditors call. kms:Put* stays so that the account can never be locked out of the key.
 */
const accountActions = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
];

/**
 * An ECDSA P-256 KMS key for signed digests (audit log, dossiers). Asymmetric key material never rotates and
 * old signatures must stay verifiable with the published public key, so the key is retained when the stack is
 * deleted. Only roles admitted with `allowSigningBy` may sign.
 */
export class SigningKey extends Construct implements SigningKeyRef {
  readonly key: Key;
  readonly alias: Alias;
  readonly aliasName: string;
  private readonly signerPatterns: string[] = [];

  constructor(scope: Construct, id: string, props: SigningKeyProps) {
    super(scope, id);
    this.aliasName = props.aliasName;
    this.key = new Key(this, 'Key', {
      description: props.description,
      keySpec: KeySpec.ECC_NIST_P256,
      keyUsage: KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
      // An explicit policy replaces CDK's default `kms:*` for the account, which would let any admin sign.
      policy: new PolicyDocument({
        statements: [
          new PolicyStatement({
            sid: 'AccountManagesKeyButDoesNotSign',
            principals: [new AccountRootPrincipal()],
            actions: accountActions,
            resources: ['*'],
          }),
        ],
      }),
    });
    this.alias = new Alias(this, 'Alias', { aliasName: props.aliasName, targetKey: this.key });
  }

  get keyId(): string {
    return this.key.keyId;
  }

  get keyArn(): string {
    return this.key.keyArn;
  }

  allowSigningBy(roleArnPattern: string): void {
    const first = this.signerPatterns.length === 0;
    this.signerPatterns.push(roleArnPattern);
    if (!first) return;
    // One statement whose condition list grows: the list is read when the template is produced.
    const patterns = Lazy.list({ produce: () => [...this.signerPatterns] });
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OnlyListedRolesSign',
        principals: [new AccountRootPrincipal()],
        actions: ['kms:Sign'],
        resources: ['*'],
        conditions: { ArnLike: { 'aws:PrincipalArn': patterns } },
      }),
    );
  }

  /** The role ARN patterns admitted to sign, in the order they were added. */
  get signers(): readonly string[] {
    return [...this.signerPatterns];
  }
}

/** `arn:<partition>:iam::<account>:role/<name prefix>*`, built from pseudo parameters so any stack may use it. */
export function roleArnPattern(roleNamePrefix: string): string {
  return `${roleArnOf(roleNamePrefix)}*`;
}

/** `arn:<partition>:iam::<account>:role/<name>`, the ARN of a role with a fixed name, for any stack to use. */
export function roleArnOf(roleName: string): string {
  return `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${roleName}`;
}
