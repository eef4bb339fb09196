/**
 * The `notifications` section of the strategy: the tenant's declared subscriptions. Credentials are
 * referenced by secret name, never written here (a strategy is stored, versioned, audit-logged and
 * put in the dossier): a webhook's secret holds `{"url": …, "signingSecret": "whsec_…"}`, a Slack
 * one the incoming-webhook URL; `reversa secret put` (local) or Secrets Manager (tagged
 * `reversa:tenant=<id>`) stores them. Subscriptions added with `reversa notify add` live beside these.
 *
 * Its own file for the reason reversibility-schema.ts gives (schema.ts imports it).
 */
import * as z from 'zod';
import { EVENT_TYPES, SEVERITIES } from '../events/catalogue.ts';

export const MAX_DECLARED_SUBSCRIPTIONS = 50;
const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** The characters Secrets Manager allows in a name (the local store accepts the same). */
const SECRET_NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,256}$/;
const EMAIL_PATTERN = /^[^\s@<>()[\],;:"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/;

const secretRef = z
  .strictObject({
    secret: z
      .string({ error: 'expected a secret name' })
      .regex(SECRET_NAME_PATTERN, { error: 'expected a secret name of letters, digits and /_+=.@- (at most 256)' })
      .describe('Name of the tenant secret holding the credentials (never the credentials themselves).'),
  })
  .describe('Credentials by reference.');

const subscriptionSchema = z
  .strictObject({
    id: z
      .string({ error: 'expected an id' })
      .regex(ID_PATTERN, { error: 'expected lower-case letters, digits and dashes, starting with a letter or digit' })
      .describe('Unique among the tenant’s subscriptions; names it in the delivery log.'),
    webhook: secretRef
      .optional()
      .describe('A Standard Webhooks endpoint; the secret holds {"url": …, "signingSecret": "whsec_…"}.'),
    slack: secretRef.optional().describe('A Slack-compatible incoming webhook; the secret holds its URL.'),
    email: z
      .string({ error: 'expected an e-mail address' })
      .regex(EMAIL_PATTERN, { error: 'expected an e-mail address like ops@example.com' })
      .optional()
      .describe('An e-mail address (SNS in AWS; a mail drop directory locally).'),
    events: z
      .array(z.enum(EVENT_TYPES, { error: `expected one of ${EVENT_TYPES.join(', ')}` }))
      .max(EVENT_TYPES.length)
      .optional()
      .describe('Only these event types. Default: all.'),
    minSeverity: z
      .enum(SEVERITIES, { error: `expected one of ${SEVERITIES.join(', ')}` })
      .optional()
      .describe('Only events at least this severe. Default: all.'),
  })
  .refine((s) => [s.webhook, s.slack, s.email].filter((c) => c !== undefined).length === 1, {
    error: 'expected exactly one of webhook, slack or email',
  });

export const notificationsSchema = z
  .strictObject({
    subscriptions: z
      .array(subscriptionSchema)
      .max(MAX_DECLARED_SUBSCRIPTIONS, { error: `expected at most ${MAX_DECLARED_SUBSCRIPTIONS} subscriptions` })
      .refine((subs) => new Set(subs.map((s) => s.id)).size === subs.length, {
        error: 'expected every subscription id once',
      })
      .describe('Who is told about which events.'),
  })
  .optional()
  .describe('Notifications: webhooks (Standard Webhooks, CloudEvents 1.0 bodies), e-mail and Slack.');

export type NotificationsSection = NonNullable<z.infer<typeof notificationsSchema>>;
export type DeclaredSubscription = NotificationsSection['subscriptions'][number];
