/**
 * Every synthesized stack through cfn-lint (issue 11 §3), in two deploy configurations: the defaults, and every
 * optional parameter set (alarm e-mail, client accounts and organization, restic subnets and security groups,
 * restore buckets), so resources that exist only with a parameter are linted too. The only findings allowed are the
 * false positives listed, with their reasons, in cfn-lint-suppressions.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './build-app.ts';
import { type CfnLintFinding, cfnLint, describeFinding } from './cfn-lint.ts';
import { CFN_LINT_SUPPRESSIONS, type CfnTemplateJson } from './cfn-lint-suppressions.ts';

/** The region the deployment guide targets; cfn-lint checks resource and runtime availability there. */
const REGIONS = ['eu-west-3'];

const configurations = {
  defaults: {},
  everything: {
    alarmEmail: 'ops@example.com',
    clientAccountIds: ['222222222222', '333333333333'],
    clientOrganizationId: 'o-a1b2c3d4e5',
    restoreSubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
    restoreSecurityGroupIds: ['sg-0a1b2c3d4e5f60001'],
    restoreSourceBuckets: ['acme-restic-repos'],
    restoreSandboxBuckets: ['acme-restore-sandbox'],
  },
};

let dir: string;
const templates = new Map<string, CfnTemplateJson>();
let findings: CfnLintFinding[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'reversa-cfn-lint-'));
  for (const [configuration, options] of Object.entries(configurations)) {
    const { assembly } = buildTestApp(options);
    for (const stack of assembly.stacks) {
      const file = join(dir, `${configuration}-${stack.stackName}.template.json`);
      writeFileSync(file, JSON.stringify(stack.template, null, 1));
      templates.set(file, stack.template as CfnTemplateJson);
    }
  }
  findings = cfnLint([...templates.keys()], REGIONS);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const templateOf = (finding: CfnLintFinding): CfnTemplateJson => {
  const template = templates.get(finding.Filename);
  if (template === undefined) throw new Error(`cfn-lint reported a file it was not given: ${finding.Filename}`);
  return template;
};
const suppressionOf = (finding: CfnLintFinding) =>
  CFN_LINT_SUPPRESSIONS.find((s) => s.rule === finding.Rule.Id && s.applies(finding, templateOf(finding)));

describe('cfn-lint on the synthesized templates', () => {
  it('lints every stack of both configurations', () => {
    const stacks = [...templates.keys()].map((file) => file.split('/').pop());
    expect(stacks).toEqual(expect.arrayContaining(['defaults-ReversaStateful.template.json']));
    expect(stacks).toEqual(expect.arrayContaining(['everything-ReversaWorkflows.template.json']));
  });

  it('finds nothing but the false positives listed with their reasons', () => {
    const unexpected = findings.filter((finding) => suppressionOf(finding) === undefined).map(describeFinding);
    expect(unexpected).toEqual([]);
  });

  it('lists no suppression that no longer matches a finding', () => {
    const used = new Set(findings.map(suppressionOf));
    expect(CFN_LINT_SUPPRESSIONS.filter((s) => !used.has(s)).map((s) => s.rule)).toEqual([]);
  });

  it('gives every suppression a reason', () => {
    for (const suppression of CFN_LINT_SUPPRESSIONS) expect(suppression.reason.length).toBeGreaterThan(80);
  });

  it('reports what CloudFormation would refuse, so the check above can fail', () => {
    const file = join(dir, 'broken.template.json');
    writeFileSync(
      file,
      JSON.stringify({
        Resources: {
          Bucket: { Type: 'AWS::S3::Bucket', Properties: { VersioningConfiguration: { Status: 'On' } } },
          Machine: {
            Type: 'AWS::StepFunctions::StateMachine',
            Properties: {
              RoleArn: 'arn:aws:iam::111111111111:role/machine',
              // A Task without its Resource: refused by Step Functions' own validation.
              DefinitionString: '{"StartAt":"A","States":{"A":{"Type":"Task","End":true}}}',
            },
          },
        },
      }),
    );
    const broken = cfnLint([file], REGIONS);
    const rules = broken.map((finding) => finding.Rule.Id);
    expect(rules).toContain('E3030'); // VersioningConfiguration.Status must be Enabled or Suspended
    expect(
      broken.filter((finding) => finding.Location.Path.includes('DefinitionString')).map((f) => f.Rule.Id),
    ).toEqual(['E3601']);
  });
});
