/**
 * AWS list prices, Europe (Paris) eu-west-3, USD, on-demand, no free tier, as used by `npm run bench -- cost`.
 * One place, with the page each comes from and the date it was read. `checked` says whether the Paris figure was read
 * from that page for this file; the others are the pages' Paris figures as last known and MUST be re-read before a
 * price quote (AWS renders the regional tables in the browser; the offline copies here did not always carry them).
 */
export const PRICES_DATE = '2026-12-03';

export interface Price {
  usd: number;
  per: string;
  source: string;
  checked: boolean;
}

export const PRICES = {
  lambdaRequests: {
    usd: 0.2,
    per: '1,000,000 requests',
    source: 'https://aws.amazon.com/lambda/pricing/',
    checked: false,
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    per: 'GB-second (arm64)',
    source: 'https://aws.amazon.com/lambda/pricing/',
    checked: false,
  },
  stepFunctionsTransitions: {
    usd: 0.0297,
    per: '1,000 state transitions (Standard)',
    source: 'https://aws.amazon.com/step-functions/pricing/ (table: Europe (Paris) $0.0297)',
    checked: true,
  },
  dynamoWriteRequestUnits: {
    usd: 0.7289,
    per: '1,000,000 write request units (on-demand)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    checked: false,
  },
  dynamoReadRequestUnits: {
    usd: 0.1458,
    per: '1,000,000 read request units (on-demand)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    checked: false,
  },
  dynamoStorage: {
    usd: 0.2917,
    per: 'GB-month (Standard table class)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    checked: false,
  },
  s3Tier1Requests: {
    usd: 0.0053,
    per: '1,000 PUT, COPY, POST, LIST requests (S3 Standard)',
    source: 'https://aws.amazon.com/s3/pricing/',
    checked: false,
  },
  s3Tier2Requests: {
    usd: 0.00042,
    per: '1,000 GET, SELECT and other requests (S3 Standard)',
    source: 'https://aws.amazon.com/s3/pricing/',
    checked: false,
  },
  s3Storage: {
    usd: 0.024,
    per: 'GB-month (S3 Standard, first 50 TB)',
    source: 'https://aws.amazon.com/s3/pricing/',
    checked: false,
  },
  kmsAsymmetricRequests: {
    usd: 0.15,
    per: '10,000 asymmetric requests (ECC Sign, GetPublicKey)',
    source: 'https://aws.amazon.com/kms/pricing/',
    checked: false,
  },
  kmsKeyMonth: {
    usd: 1,
    per: 'customer managed key-month',
    source: 'https://aws.amazon.com/kms/pricing/',
    checked: false,
  },
  eventBridgeCustomEvents: {
    usd: 1,
    per: '1,000,000 custom events published',
    source: 'https://aws.amazon.com/eventbridge/pricing/',
    checked: false,
  },
  schedulerInvocations: {
    usd: 1,
    per: '1,000,000 schedule invocations (after 14 M free a month)',
    source: 'https://aws.amazon.com/eventbridge/pricing/',
    checked: false,
  },
  cloudWatchLogsIngestion: {
    usd: 0.57,
    per: 'GB ingested (standard and vended logs, first 10 TB)',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    checked: false,
  },
} as const satisfies Record<string, Price>;

/** How many units a price is quoted for ("1,000,000 requests" → 1,000,000). */
export function unitsOf(price: Price): number {
  const match = /^([\d,]+) /.exec(price.per);
  return match ? Number(match[1]?.replaceAll(',', '')) : 1;
}
