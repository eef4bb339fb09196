/**
 * Checks the schema cannot express: they relate several places of the document. They run on the raw
 * parsed data (not only on schema-valid documents), guarding every access, so that one run reports
 * schema problems and these together.
 */
import { missingPolicyFields, REQUIRED_POLICY_FIELDS } from './effective.ts';
import { closestKey } from './keys.ts';
import type { PolicyFields } from './schema.ts';
import type { PathSegment } from './yaml-locate.ts';

export interface Finding {
  path: PathSegment[];
  message: string;
}

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function label(resource: Obj, index: number): string {
  if (typeof resource.name === 'string') return `'${resource.name}'`;
  if (typeof resource.locator === 'string') return `'${resource.locator}'`;
  return `resources[${index}]`;
}

export function semanticFindings(data: unknown): Finding[] {
  if (!isObj(data)) return [];
  const findings: Finding[] = [];
  const defaults = isObj(data.defaults) ? data.defaults : undefined;
  const resources = asArray(data.resources);
  // A typo in defaults (`retentoin`) is already reported as an unknown key: do not also blame every resource.
  const misspeltInDefaults = misspelt(defaults);

  if (defaults) checkKeyId(defaults, undefined, ['defaults'], findings);

  const locators = new Map<string, number>();
  const names = new Map<string, number>();
  resources.forEach((resource, i) => {
    if (!isObj(resource)) return;
    for (const field of missingPolicyFields(defaults as PolicyFields | undefined, resource as PolicyFields)) {
      if (misspeltInDefaults.has(field) || misspelt(resource).has(field)) continue;
      findings.push({
        path: ['resources', i],
        message: `no ${field} for ${label(resource, i)}: set ${field} on this resource or in defaults`,
      });
    }
    if (resource.select !== undefined) {
      for (const field of ['source', 'type'] as const) {
        if (resource[field] !== undefined) {
          findings.push({
            path: ['resources', i, field],
            message: `${field} describes an explicit resource; for a selector put it inside select`,
          });
        }
      }
    }
    checkKeyId(resource, defaults, ['resources', i], findings);
    if (typeof resource.locator === 'string' && resource.select === undefined) {
      const first = locators.get(resource.locator);
      if (first === undefined) locators.set(resource.locator, i);
      else
        findings.push({
          path: ['resources', i, 'locator'],
          message: `locator '${resource.locator}' is already declared by resources[${first}]`,
        });
    }
    if (typeof resource.name === 'string') {
      const first = names.get(resource.name);
      if (first === undefined) names.set(resource.name, i);
      else
        findings.push({
          path: ['resources', i, 'name'],
          message: `name '${resource.name}' is already used by resources[${first}]; names must be unique`,
        });
    }
  });

  const excluded = new Map<string, number>();
  asArray(data.exclusions).forEach((exclusion, k) => {
    if (!isObj(exclusion) || typeof exclusion.locator !== 'string') return;
    const declaredAt = locators.get(exclusion.locator);
    if (declaredAt !== undefined) {
      findings.push({
        path: ['exclusions', k, 'locator'],
        message: `'${exclusion.locator}' is declared by resources[${declaredAt}]: a resource cannot be both protected and excluded`,
      });
    }
    const first = excluded.get(exclusion.locator);
    if (first === undefined) excluded.set(exclusion.locator, k);
    else
      findings.push({
        path: ['exclusions', k, 'locator'],
        message: `'${exclusion.locator}' is already excluded by exclusions[${first}]`,
      });
  });

  const sources = isObj(data.sources) ? data.sources : undefined;
  const awsBackup = sources && isObj(sources.awsBackup) ? sources.awsBackup : undefined;
  const accounts = new Map<string, number>();
  asArray(awsBackup?.accounts).forEach((account, a) => {
    if (!isObj(account) || typeof account.accountId !== 'string') return;
    const first = accounts.get(account.accountId);
    if (first === undefined) accounts.set(account.accountId, a);
    else
      findings.push({
        path: ['sources', 'awsBackup', 'accounts', a, 'accountId'],
        message: `account ${account.accountId} is already listed at sources.awsBackup.accounts[${first}]`,
      });
  });
  return findings;
}

/** Required fields some key of `policy` looks like a typo of (`retentoin`): already reported as unknown keys. */
function misspelt(policy: Obj | undefined): Set<string | undefined> {
  return new Set(policy ? Object.keys(policy).map((key) => closestKey(key, REQUIRED_POLICY_FIELDS)) : []);
}

/** A key to check against only makes sense when encryption is required (after merging with defaults). */
function checkKeyId(policy: Obj, defaults: Obj | undefined, at: PathSegment[], findings: Finding[]): void {
  const encryption = isObj(policy.encryption) ? policy.encryption : undefined;
  if (encryption?.keyId === undefined) return;
  const inherited = defaults && isObj(defaults.encryption) ? defaults.encryption.required : undefined;
  const required = encryption.required ?? inherited;
  if (required !== true) {
    findings.push({
      path: [...at, 'encryption', 'keyId'],
      message: 'keyId only applies when encryption.required is true',
    });
  }
}
