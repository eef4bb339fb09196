/**
 * The `reversibility` section of the strategy: who the dossier is for (age recipients), what it must
 * hold (the completeness checklist), who to call (contacts), where its inputs are (S3 prefixes, the
 * secret selection) and how long the successor may retrieve it.
 *
 * It lives in its own file because schema.ts imports it: this file must NOT import schema.ts (an ES
 * module cycle would read schema.ts's constants before they exist), so the few shared rules
 * (duration syntax, text limits) are restated here.
 */
import * as z from 'zod';

/** The ten things a successor needs to take over (EU Data Act ch. VI categories, CCAG-TIC art. 42). */
export const CHECKLIST_ITEMS = [
  'inventory',
  'configurations',
  'securitySettings',
  'accessRights',
  'accessLogs',
  'procedures',
  'backupCatalogue',
  'restoreEvidence',
  'credentials',
  'contacts',
] as const;
export type ChecklistItemId = (typeof CHECKLIST_ITEMS)[number];

export const MAX_RECIPIENTS = 50;
/** Shamir over GF(256): at most 255 shares. */
export const MAX_CUSTODIANS = 255;
export const MAX_CONTACTS = 100;
export const DEFAULT_RETRIEVAL_PERIOD = '30d';

const MAX_TEXT = 2048;
const DURATION_PATTERN = /^[1-9][0-9]*(m|h|d|w|y)$/;
const DURATION_MESSAGE = 'expected a duration like 15m, 24h, 35d, 2w or 1y';

/** bech32 alphabet (BIP-173): an age X25519 recipient is `age1` + 52 data + 6 checksum characters. */
const BECH32_ALPHABET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const AGE_RECIPIENT_SHAPE = /^age1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}$/;
export const AGE_RECIPIENT_MESSAGE =
  'expected an age X25519 public recipient: age1 followed by 58 lowercase bech32 characters (from `age-keygen -y`)';
const AGE_IDENTITY_MESSAGE =
  'this is an age SECRET identity, which must never be written in a strategy: put its public recipient (age1…, from `age-keygen -y`) here';

function bech32Polymod(values: readonly number[]): number {
  const generators = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= generators[i]!;
  }
  return chk >>> 0;
}

/** Shape AND bech32 checksum: a typo in a recipient would otherwise only surface at export time. */
export function isAgeRecipient(text: string): boolean {
  if (!AGE_RECIPIENT_SHAPE.test(text)) return false;
  const hrp = 'age';
  const data = [...text.slice(4)].map((c) => BECH32_ALPHABET.indexOf(c));
  const expanded = [...[...hrp].map((c) => c.charCodeAt(0) >> 5), 0, ...[...hrp].map((c) => c.charCodeAt(0) & 31)];
  return bech32Polymod([...expanded, ...data]) === 1;
}

const text = (max = MAX_TEXT) =>
  z
    .string({ error: 'expected a text string' })
    .min(1, { error: 'expected a non-empty string' })
    .max(max, { error: `expected at most ${max} characters` });

const bool = () => z.boolean({ error: 'expected true or false' });

export const ageRecipientSchema = z
  .string({ error: AGE_RECIPIENT_MESSAGE })
  .max(128, { error: AGE_RECIPIENT_MESSAGE })
  // Two checks so that a pasted secret identity gets its own message; neither echoes the value.
  .refine((s) => !/^AGE-SECRET-KEY-/i.test(s), { error: AGE_IDENTITY_MESSAGE, abort: true })
  .refine(isAgeRecipient, { error: AGE_RECIPIENT_MESSAGE })
  .meta({
    description: 'An age X25519 public recipient (age1…), as printed by `age-keygen -y identity.txt`.',
    pattern: AGE_RECIPIENT_SHAPE.source,
  });

const recipientList = (what: string) =>
  z
    .array(ageRecipientSchema)
    .min(1, { error: 'expected at least one recipient' })
    .max(MAX_RECIPIENTS, { error: `expected at most ${MAX_RECIPIENTS} recipients` })
    .refine((list) => new Set(list).size === list.length, { error: 'each recipient may appear only once' })
    .meta({ description: what, uniqueItems: true });

const custodiansSchema = z
  .strictObject({
    recipients: z
      .array(ageRecipientSchema)
      .min(2, { error: 'expected at least two custodians (one custodian is not a split custody)' })
      .max(MAX_CUSTODIANS, { error: `expected at most ${MAX_CUSTODIANS} custodians` })
      .refine((list) => new Set(list).size === list.length, { error: 'each custodian may appear only once' })
      .describe('One age recipient per custodian; each receives one share of the escrow key.'),
    threshold: z
      .int({ error: 'expected a whole number of shares, at least 2' })
      .min(2, { error: 'expected a whole number of shares, at least 2' })
      .max(MAX_CUSTODIANS, { error: `expected at most ${MAX_CUSTODIANS} shares` })
      .describe('How many custodians must bring their share to open the escrow (k of n, 2 ≤ k ≤ n).'),
  })
  .refine((c) => c.threshold <= c.recipients.length, {
    error: 'threshold must not exceed the number of custodian recipients',
    path: ['threshold'],
  })
  .describe(
    'Optional k-of-n split custody: a one-off escrow key is split with Shamir secret sharing, one share per custodian.',
  );

const waiverSchema = z
  .strictObject({
    reason: text().describe('Why the item is not delivered (shown in checklist.md to the client and the successor).'),
  })
  .describe('Waives the item: its absence does not fail the export; the reason is published in the checklist.');

const checklistItemSchema = z
  .strictObject({
    required: bool().optional().describe('A missing required item fails the export unless waived. Default: true.'),
    waived: waiverSchema.optional(),
  })
  .describe('How one checklist item is judged.');

const checklistSchema = z
  .strictObject(
    Object.fromEntries(CHECKLIST_ITEMS.map((id) => [id, checklistItemSchema.optional()])) as Record<
      ChecklistItemId,
      z.ZodOptional<typeof checklistItemSchema>
    >,
  )
  .describe('The completeness checklist. Every item is required unless it says required: false or is waived.');

const EMAIL_PATTERN = /^[^\s@<>()",;]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$/;
const PHONE_PATTERN = /^\+?[0-9][0-9 ().-]{2,30}$/;

const contactSchema = z
  .strictObject({
    name: text(256).describe('Person or team.'),
    role: text(256).describe('What they are for: service manager, security officer, DBA on call…'),
    email: z
      .string({ error: 'expected an email address like ops@example.com' })
      .max(320, { error: 'expected an email address like ops@example.com' })
      .regex(EMAIL_PATTERN, { error: 'expected an email address like ops@example.com' })
      .optional(),
    phone: z
      .string({ error: 'expected a phone number like +33 1 23 45 67 89' })
      .regex(PHONE_PATTERN, { error: 'expected a phone number like +33 1 23 45 67 89' })
      .optional(),
  })
  .refine((c) => c.email !== undefined || c.phone !== undefined, {
    error: 'expected at least one of email or phone: a contact nobody can reach is no contact',
  })
  .describe('Someone the successor can reach. No secrets here: credentials go through the escrow.');

const prefixSchema = z
  .strictObject({
    prefix: text(1024)
      .regex(/^[^/].*\/$/, { error: 'expected an S3 key prefix ending with / and not starting with /' })
      .describe('S3 key prefix in the Reversa data bucket.'),
  })
  .describe('Where this input is read from.');

const TAG_KEY = /^[\p{L}\p{N}\s_.:/=+\-@]{1,128}$/u;

const secretsSchema = z
  .strictObject({
    tag: z
      .strictObject({
        key: z
          .string({ error: 'expected a tag key' })
          .regex(TAG_KEY, { error: 'expected a tag key (1-128 letters, digits, spaces and _.:/=+-@)' }),
        value: z.string({ error: 'expected a tag value' }).max(256, { error: 'expected at most 256 characters' }),
      })
      .optional()
      .describe('Escrow every secret carrying this tag.'),
    prefix: text(512).optional().describe('Escrow every secret whose name starts with this prefix (e.g. acme/).'),
  })
  .refine((s) => (s.tag === undefined) !== (s.prefix === undefined), { error: 'expected exactly one of tag or prefix' })
  .meta({
    description: 'Which secrets go into the credentials escrow. Default: tag reversa:tenant = <tenant id>.',
    oneOf: [{ required: ['tag'] }, { required: ['prefix'] }],
  });

const sourcesSchema = z
  .strictObject({
    configurations: prefixSchema.optional().describe('Default: config/<tenant>/.'),
    procedures: prefixSchema.optional().describe('Default: procedures/<tenant>/ (Markdown runbooks).'),
    securitySettings: prefixSchema.optional().describe('Default: config/<tenant>/security/.'),
    accessRights: prefixSchema.optional().describe('Default: config/<tenant>/access-rights/.'),
    accessLogs: prefixSchema.optional().describe('Default: config/<tenant>/access-logs/.'),
    secrets: secretsSchema.optional(),
  })
  .describe('Where the dossier inputs are read from.');

export const reversibilitySchema = z
  .strictObject({
    successorRecipients: recipientList(
      'age recipients of the successor: the credentials escrow opens with any of their identities.',
    ).optional(),
    breakGlassRecipient: ageRecipientSchema
      .optional()
      .describe("The client's own break-glass recipient: it can also open the escrow."),
    custodians: custodiansSchema.optional(),
    checklist: checklistSchema.optional(),
    contacts: z
      .array(contactSchema)
      .max(MAX_CONTACTS, { error: `expected at most ${MAX_CONTACTS} contacts` })
      .optional()
      .describe('People the successor can reach (the contacts checklist item).'),
    sources: sourcesSchema.optional(),
    embedData: bool()
      .optional()
      .describe(
        'true embeds large backup data in the bag (in parts below 4 GiB); false references it in fetch.txt. Default: false.',
      ),
    retrievalPeriod: z
      .string({ error: DURATION_MESSAGE })
      .max(8, { error: DURATION_MESSAGE })
      .regex(DURATION_PATTERN, { error: DURATION_MESSAGE })
      .optional()
      .describe('How long each exported version stays retrievable. Default: 30d (EU Data Act minimum).'),
  })
  .optional()
  .describe('Reversibility dossier: recipients, completeness checklist, contacts, inputs and retrieval period.');

export type ReversibilitySection = NonNullable<z.infer<typeof reversibilitySchema>>;
export type ChecklistSection = NonNullable<ReversibilitySection['checklist']>;
export type Contact = NonNullable<ReversibilitySection['contacts']>[number];
export type SecretSelection = NonNullable<NonNullable<ReversibilitySection['sources']>['secrets']>;
