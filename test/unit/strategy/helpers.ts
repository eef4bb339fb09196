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

/** A complete contract section; each case below changes one line of it. */
export const CONTRACT = `contract:
  reference: MSA-2026-014
  start: 2026-01-01
  end: 2028-12-31
  noticePeriod: 90d
  currency: EUR
  monthlyFee: 12000.50
  measurementPeriod: month
  maintenanceWindows:
    - { every: sunday, at: "02:00", duration: 2h, reason: patching }
    - { from: 2026-11-14T22:00, to: 2026-11-15T04:00, reason: storage migration }
  exclusions:
    - { from: 2026-11-20T08:00, to: 2026-11-20T12:00, cause: client, reason: client network outage, levels: [backup-compliance] }
    - { incident: "rt-1#restore", cause: client, reason: client deleted the source bucket }
  levels:
    backupCompliance:
      target: 99.5
      penalty: { perStartedHour: 50, tiers: [{ below: 99.5, percentOfFee: 5 }, { below: 98, percentOfFee: 10 }] }
    restoreTests: { target: 95, coverage: 30d, penalty: { perBreach: 200 } }
    rto: { max: 4h, classes: [{ name: databases, source: pgbackrest, max: 1h }], penalty: { perStartedHour: 100 } }
    incidents:
      critical: { acknowledge: 15m, resolve: 4h }
      high: { acknowledge: 1h, resolve: 1d }
      penalty: { perBreach: 150, perStartedHour: 25 }
    dossier: { maxStale: 7d, delivery: 10d, penalty: { perStartedDay: 300 } }
  cap: { percentOfFee: 20 }
`;
