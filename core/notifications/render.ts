/**
 * The human forms of an event: a Slack-compatible incoming-webhook body (`text` is what Slack,
 * Mattermost, Rocket.Chat and Teams' Slack-compatible connectors all read; `blocks` refine it for
 * Slack) and an e-mail (subject, plain text, small HTML). Everything comes from the event's summary,
 * type, subject and ids, which never hold secrets; HTML and Slack mrkdwn special characters are escaped.
 */
import type { ReversaEvent } from '../events/catalogue.ts';

const TITLES: Record<string, string> = {
  'reversa.backup.deadline-missed': 'Backup deadline missed',
  'reversa.anomaly.detected': 'Anomaly detected',
  'reversa.finding.opened': 'Finding opened',
  'reversa.finding.resolved': 'Finding resolved',
  'reversa.incident.acknowledged': 'Incident acknowledged',
  'reversa.incident.recurring': 'Incident recurring (root cause not fixed)',
  'reversa.restore-test.failed': 'Restore test failed',
  'reversa.sla.level-breached': 'Service level breached',
  'reversa.sla.statement-issued': 'SLA statement issued',
  'reversa.dossier.published': 'Reversibility dossier published',
  'reversa.dossier.stale': 'Reversibility dossier stale',
  'reversa.test': 'Test notification',
};

export const titleOf = (event: Pick<ReversaEvent, 'type'>) => TITLES[event.type] ?? event.type;

const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const htmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export interface SlackMessage {
  text: string;
  blocks: unknown[];
}

export function slackMessage(event: ReversaEvent): SlackMessage {
  const title = `${titleOf(event)} — ${event.tenantId} (${event.severity})`;
  const text = `${title}: ${event.summary}`;
  return {
    text: slackEscape(text),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: slackEscape(event.summary) } },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: slackEscape(`${event.type} · ${event.subject} · ${event.time} · id ${event.id}`) },
        ],
      },
    ],
  };
}

export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

function details(event: ReversaEvent): [string, string][] {
  const rows: [string, string][] = [
    ['Tenant', event.tenantId],
    ['Event', event.type],
    ['Severity', event.severity],
    ['Subject', event.subject],
    ['Time', event.time],
    ['Event id', event.id],
  ];
  for (const [key, value] of Object.entries(event.data)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) rows.push([key, String(value)]);
  }
  return rows;
}

export function emailMessage(event: ReversaEvent): EmailMessage {
  // One line, no CR/LF: a subject is a header.
  const subject = `[Reversa] ${event.tenantId}: ${titleOf(event)} (${event.severity})`.replace(/[\r\n]+/g, ' ');
  const rows = details(event);
  const text = [event.summary, '', ...rows.map(([k, v]) => `${k}: ${v}`), ''].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h1 style="font-size:18px">${htmlEscape(titleOf(event))}</h1>`,
    `<p>${htmlEscape(event.summary)}</p>`,
    '<table>',
    ...rows.map(([k, v]) => `<tr><th align="left">${htmlEscape(k)}</th><td>${htmlEscape(v)}</td></tr>`),
    '</table></body></html>',
  ].join('\n');
  return { subject, text, html };
}
