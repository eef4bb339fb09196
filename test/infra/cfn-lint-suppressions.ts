/**
 * The one list of cfn-lint findings the synthesized templates are allowed to have, each with its reason. A suppression
 * is never a whole rule: it names the rule AND a test on the finding, so the same rule elsewhere still fails, and a
 * suppression that no longer matches anything fails too (test/infra/cfn-lint.test.ts). Fix real findings in infra/.
 */
import type { CfnLintFinding } from './cfn-lint.ts';

export interface CfnTemplateJson {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[] }>;
}

export interface CfnLintSuppression {
  rule: string;
  reason: string;
  /** Whether this finding is the known false positive (and nothing else of the same rule). */
  applies(finding: CfnLintFinding, template: CfnTemplateJson): boolean;
}

const resourceOf = (finding: CfnLintFinding, template: CfnTemplateJson) => {
  const [section, logicalId] = finding.Location.Path;
  return section === 'Resources' && typeof logicalId === 'string' ? template.Resources[logicalId] : undefined;
};

export const CFN_LINT_SUPPRESSIONS: readonly CfnLintSuppression[] = [
  {
    rule: 'E1029',
    reason:
      'A placeholder ($ and a name in braces) inside a state machine DefinitionString is a DefinitionSubstitutions placeholder, not an Fn::Sub ' +
      'variable. cfn-lint knows that, but treats a placeholder whose value is the empty string as missing: SubnetIds and ' +
      'SecurityGroupIds are "" when no restoreSubnetIds/restoreSecurityGroupIds are given (restic tests then fail at ' +
      "RunTask, docs/deploy.md). Only placeholders that ARE keys of the resource's DefinitionSubstitutions match.",
    applies(finding, template) {
      const resource = resourceOf(finding, template);
      const name = /"\$\{([A-Za-z0-9_]+)\}"/.exec(finding.Message)?.[1];
      const substitutions = resource?.Properties?.DefinitionSubstitutions as Record<string, unknown> | undefined;
      return (
        resource?.Type === 'AWS::StepFunctions::StateMachine' &&
        finding.Location.Path[3] === 'DefinitionString' &&
        name !== undefined &&
        substitutions !== undefined &&
        Object.hasOwn(substitutions, name)
      );
    },
  },
  {
    rule: 'W3005',
    reason:
      "CDK's Function and StateMachine constructs put their execution role in DependsOn (next to the role's default " +
      'policy, which is the edge that matters: the function must not run before its grants exist) although the role is ' +
      'already reached by Fn::GetAtt. The redundant edge changes no deployment order.',
    applies(finding, template) {
      const resource = resourceOf(finding, template);
      const [, , key, index] = finding.Location.Path;
      const dependency = typeof index === 'number' ? resource?.DependsOn?.[index] : undefined;
      return (
        (resource?.Type === 'AWS::Lambda::Function' || resource?.Type === 'AWS::StepFunctions::StateMachine') &&
        key === 'DependsOn' &&
        dependency !== undefined &&
        template.Resources[dependency]?.Type === 'AWS::IAM::Role'
      );
    },
  },
];
