/**
 * Runs cfn-lint (Python, installed with the machine's Python; `.ci/run` installs it when missing) on template files
 * and returns its findings as JSON. `cfn-lint` on PATH first; otherwise the same entry point through `python3`, for
 * a pip install whose scripts directory is not on PATH.
 */
import { spawnSync } from 'node:child_process';

export interface CfnLintFinding {
  Filename: string;
  Level: 'Error' | 'Warning' | 'Informational';
  Message: string;
  Location: { Path: (string | number)[]; Start: { LineNumber: number } };
  Rule: { Id: string; ShortDescription: string };
}

const PYTHON_ENTRY = 'import sys; from cfnlint.runner import main; sys.exit(main())';

/** The command that runs cfn-lint here, or an error saying how to install it. */
function cfnLintCommand(): [string, string[]] {
  if (spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0) return ['cfn-lint', []];
  const viaPython = spawnSync('python3', ['-c', PYTHON_ENTRY, '--version'], { encoding: 'utf8' });
  if (viaPython.status === 0) return ['python3', ['-c', PYTHON_ENTRY]];
  throw new Error(
    'cfn-lint is not installed: neither `cfn-lint` nor `python3 -c "import cfnlint"` works here.\n' +
      "Install it with: python3 -m pip install 'cfn-lint>=1,<2'   (or run .ci/run, which installs it)",
  );
}

/**
 * Lints `files` against `regions` (errors and warnings, cfn-lint's defaults). cfn-lint exits non-zero whenever it
 * finds something; only output that is not its JSON report is a failure of the run itself.
 */
export function cfnLint(files: readonly string[], regions: readonly string[]): CfnLintFinding[] {
  const [command, prefix] = cfnLintCommand();
  const run = spawnSync(command, [...prefix, '--format', 'json', '--regions', ...regions, '--', ...files], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  try {
    return JSON.parse(run.stdout) as CfnLintFinding[];
  } catch {
    throw new Error(`cfn-lint exited ${run.status} without a JSON report:\n${run.stderr}\n${run.stdout}`.trim());
  }
}

/** One finding as a line a reader can act on: file, rule, resource path, message. */
export function describeFinding(finding: CfnLintFinding): string {
  const file = finding.Filename.split('/').pop();
  return `${file}:${finding.Location.Start.LineNumber} ${finding.Rule.Id} ${finding.Location.Path.join('/')}: ${finding.Message}`;
}
