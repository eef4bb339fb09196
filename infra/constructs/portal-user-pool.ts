import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { CLAIMS } from '#core/identity/principal.ts';
import { ROLES } from '#core/identity/roles.ts';

/** `custom:tenants` → `tenants`: Cognito declares custom attributes without their `custom:` prefix. */
const customName = (claim: string): string => claim.replace(/^custom:/, '');

/** Paths of the web app the hosted UI returns to (web/src/auth/): the distribution's domain is prefixed. */
export const CALLBACK_PATH = '/auth/callback';
export const LOGOUT_PATH = '/';

export interface PortalUserPoolProps {
  /**
   * Prefix of the hosted UI domain, `https://<prefix>.auth.<region>.amazoncognito.com`: unique in the region,
   * lower-case letters, digits and hyphens, without `aws`, `amazon` or `cognito`.
   * @default '<stack name in lower case>-<account id>'
   */
  readonly domainPrefix?: string;
  /**
   * Threat protection (formerly advanced security: compromised credentials, adaptive authentication), which needs
   * the Plus feature plan. Turn it off where the region does not offer it or the Plus plan is not wanted.
   * @default true
   */
  readonly threatProtection?: boolean;
}

/**
 * The portal's users, in the shape the API verifies (core/identity/principal.ts, adapters/aws/cognito-user-directory.ts):
 * one group per role (`cognito:groups` in the ID token), the tenants and an auditor's access window as the custom
 * attributes `custom:tenants` and `custom:access_until`, which only an administrator can set (the app client may not
 * write them, so a user holding an access token cannot give itself a tenant). No self sign-up: `reversa user add`
 * creates users. MFA (TOTP) is optional, threat protection on by default, and the web app's client is public (no
 * secret) and uses the authorization code grant with PKCE only.
 */
export class PortalUserPool extends Construct {
  readonly userPool: UserPool;
  readonly domain: UserPoolDomain;
  /** The groups, by role name. */
  readonly groups: Readonly<Record<string, CfnUserPoolGroup>>;

  constructor(scope: Construct, id: string, props: PortalUserPoolProps) {
    super(scope, id);
    const threatProtection = props.threatProtection ?? true;
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        // Mutable: an administrator changes a user's tenants or extends an auditor's window (AdminUpdateUserAttributes).
        [customName(CLAIMS.tenants)]: new StringAttribute({ minLen: 0, maxLen: 2048, mutable: true }),
        [customName(CLAIMS.accessUntil)]: new StringAttribute({ minLen: 0, maxLen: 64, mutable: true }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // Optional, TOTP only: SMS needs an SNS spending limit and a sandbox exit; enrollment is in the hosted UI's flow.
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: threatProtection ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      ...(threatProtection ? { standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION } : {}),
      deletionProtection: true,
      // The users are the provider's clients and auditors: deleting the stack must not delete them.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is optional by decision (issue 9: "MFA available"): auditors and client staff log in a few times a year and the portal has no enrollment page yet; the hosted UI offers TOTP to every user and an administrator can require it per user.',
    });
    if (!threatProtection) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason:
          'The Plus feature plan exists for threat protection, which was turned off for this deployment (portalThreatProtection=false): the region does not offer it or the plan was declined.',
      });
    }

    this.groups = Object.fromEntries(
      ROLES.map((role, precedence) => [
        role,
        new CfnUserPoolGroup(this, `Group-${role}`, {
          userPoolId: this.userPool.userPoolId,
          groupName: role,
          description: `Reversa portal role ${role} (core/identity/roles.ts)`,
          precedence,
        }),
      ]),
    );

    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: props.domainPrefix ?? defaultDomainPrefix(this) },
    });
  }

  /**
   * The web app's client: public (no secret), authorization code grant with PKCE only, returning to
   * `callbackUrl` (`https://<portal>/auth/callback`) and `logoutUrl`. Added once the portal's address is known (the
   * distribution is built after the pool's domain, which its CSP names).
   */
  addWebClient(urls: {
    callbackUrl: string;
    logoutUrl: string;
    /** @default Duration.hours(1) (the local identity provider issues the same) */
    idTokenValidity?: Duration;
  }): UserPoolClient {
    const claims = [CLAIMS.tenants, CLAIMS.accessUntil].map(customName);
    const client = this.userPool.addClient('WebClient', {
      generateSecret: false,
      // SRP only besides the hosted UI (the password never leaves the browser); no plain password flow. The web app
      // itself uses the hosted UI with PKCE.
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL],
        callbackUrls: [urls.callbackUrl],
        logoutUrls: [urls.logoutUrl],
      },
      idTokenValidity: urls.idTokenValidity ?? Duration.hours(1),
      accessTokenValidity: urls.idTokenValidity ?? Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true })
        .withCustomAttributes(...claims),
      // Only the user's own display name: role, tenants and access window are the administrator's alone.
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
    });
    return client;
  }

  /** `https://<prefix>.auth.<region>.amazoncognito.com`: the hosted UI, the token and logout endpoints. */
  get domainUrl(): string {
    return this.domain.baseUrl();
  }
}

function defaultDomainPrefix(scope: Construct): string {
  const stack = Stack.of(scope);
  return `${stack.stackName.toLowerCase().replace(/[^a-z0-9-]/g, '-')}-${stack.account}`;
}
