import { type Problem, ValidationError } from '#core/errors.ts';
import { parseStrategy } from '#core/strategy/parse.ts';

/** A valid document to start from: each test changes the lines it is about. */
export const VALID = `apiVersion: reversa/v1
tenant:
  id: acme
  name: ACME Industries
timezone: Europe/Paris
defaults:
  rpo: 24h
  retention: 35d
resources:
  - locator: arn:aws:rds:eu-west-3:111122223333:db:orders
    name: Orders database
    rpo: 1h
  - name: Daily EBS volumes
    select: { source: aws-backup, type: EBS, tags: { backup: daily } }
exclusions:
  - locator: arn:aws:ec2:eu-west-3:111122223333:volume/vol-scratch
    reason: scratch volume
`;

/** The problems parseStrategy reports for `text`; fails the test when it accepts the document. */
export function problemsOf(text: string, fileName = 'acme.yaml'): Problem[] {
  try {
    parseStrategy(text, fileName);
  } catch (error) {
    if (error instanceof ValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected the strategy to be rejected, but it was accepted');
}
