import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, type ReversaEvent, SEVERITIES } from '#core/events/catalogue.ts';
import { busEventSink, fromBusEvent } from '#core/notifications/bus.ts';
import { toCloudEvent } from '#core/notifications/cloudevents.ts';
import { emailMessage, slackMessage } from '#core/notifications/render.ts';
import { checkDeliveryUrl, displayUrl, matches } from '#core/notifications/subscription.ts';

const event: ReversaEvent = {
  id: 'acme:vf-0123:r0:reversa.finding.opened',
  type: 'reversa.finding.opened',
  tenantId: 'acme',
  time: '2026-11-02T10:00:00.000Z',
  severity: 'high',
  subject: 'vf-0123',
  summary: 'db-orders: <no backup> for 26 h & counting',
  data: { findingId: 'vf-0123', resourceId: 'db-orders' },
};

describe('the CloudEvents 1.0 envelope', () => {
  it('carries the Reversa event id, type, tenant source and severity', () => {
    expect(toCloudEvent(event)).toEqual({
      specversion: '1.0',
      id: event.id,
      source: 'urn:reversa:tenant:acme',
      type: 'reversa.finding.opened',
      subject: 'vf-0123',
      time: event.time,
      datacontenttype: 'application/json',
      tenant: 'acme',
      severity: 'high',
      data: { findingId: 'vf-0123', resourceId: 'db-orders', summary: event.summary },
    });
  });

  it('gives the same envelope for the same event (a duplicate is recognisable by id)', () => {
    expect(JSON.stringify(toCloudEvent({ ...event }))).toBe(JSON.stringify(toCloudEvent(event)));
  });
});

describe('the bus', () => {
  it('publishes catalogue events with their type as detail-type and reads them back unchanged', async () => {
    const published: [string, Record<string, unknown>][] = [];
    await busEventSink({ publish: async (t, d) => void published.push([t, d]) }).emit(event);
    expect(published[0]?.[0]).toBe('reversa.finding.opened');
    expect(fromBusEvent(published[0]![0], published[0]![1])).toEqual(event);
  });

  it('turns the export workflow’s Reversa Dossier Published into dossier.published, one id per version', () => {
    const detail = { tenantId: 'acme', version: 3, exportId: 'x1', createdAt: '2026-11-02T10:00:00Z', zipBytes: 10 };
    const translated = fromBusEvent('Reversa Dossier Published', detail);
    expect(translated).toMatchObject({
      id: 'acme:dossier:v3:reversa.dossier.published',
      type: 'reversa.dossier.published',
      data: { version: 3, exportId: 'x1', zipBytes: 10 },
    });
  });

  it('ignores bus events notifications do not consume', () => {
    expect(fromBusEvent('Reversa Verification Completed', { tenantId: 'acme' })).toBeUndefined();
    expect(fromBusEvent('reversa.finding.opened', { tenantId: 'acme' })).toBeUndefined();
  });
});

describe('the filter matrix', () => {
  const types = EVENT_TYPES.filter((t) => t !== 'reversa.test');
  it.each(SEVERITIES)('minimum severity %s lets exactly the events at least as severe through', (minimum) => {
    const passed = SEVERITIES.filter((s) => matches({ minSeverity: minimum }, { ...event, severity: s }));
    expect(passed).toEqual(SEVERITIES.slice(SEVERITIES.indexOf(minimum)));
  });

  it('an event-type filter passes its types only, and both filters must pass', () => {
    const filter = { events: ['reversa.restore-test.failed' as const, 'reversa.finding.opened' as const] };
    expect(types.filter((type) => matches(filter, { ...event, type }))).toEqual([
      'reversa.finding.opened',
      'reversa.restore-test.failed',
    ]);
    expect(matches({ ...filter, minSeverity: 'critical' }, event)).toBe(false);
    expect(matches({}, event)).toBe(true);
    expect(matches({ events: [] }, event)).toBe(true);
  });

  it('reversa.test reaches every subscription whatever its filters', () => {
    const test = { ...event, type: 'reversa.test' as const, severity: 'info' as const };
    expect(matches({ events: ['reversa.dossier.stale'], minSeverity: 'critical' }, test)).toBe(true);
  });
});

describe('human renderings', () => {
  it('a Slack-compatible body has text and blocks, escaped', () => {
    const body = slackMessage(event);
    expect(body.text).toBe('Finding opened — acme (high): db-orders: &lt;no backup&gt; for 26 h &amp; counting');
    expect(JSON.stringify(body.blocks)).toContain(event.id);
  });

  it('an e-mail has a one-line subject, text with the ids and escaped HTML', () => {
    const mail = emailMessage({ ...event, summary: 'a\r\nb <b>' });
    expect(mail.subject).toBe('[Reversa] acme: Finding opened (high)');
    expect(mail.text).toContain('Event id: acme:vf-0123:r0:reversa.finding.opened');
    expect(mail.html).toContain('a\r\nb &lt;b&gt;');
    expect(mail.html).not.toContain('<b>');
  });

  it('shows URLs by host only, so a token in the path never appears', () => {
    expect(displayUrl('https://hooks.slack.com/services/T0/B0/XyZsecret')).toBe('https://hooks.slack.com/…');
    expect(displayUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080');
    expect(displayUrl('https://x.example/?token=abc')).toBe('https://x.example/…');
  });
});

describe('delivery URLs', () => {
  it('accept https anywhere and http to loopback only, never metadata addresses or credentials in the URL', () => {
    expect(checkDeliveryUrl('https://hooks.example.com/x', 'f', 'p').host).toBe('hooks.example.com');
    expect(checkDeliveryUrl('http://127.0.0.1:8080/hook', 'f', 'p').port).toBe('8080');
    for (const bad of [
      'http://hooks.example.com/x',
      'https://169.254.169.254/latest/meta-data',
      'https://user:pass@hooks.example.com/',
      'ftp://hooks.example.com/',
      'not a url',
    ]) {
      expect(() => checkDeliveryUrl(bad, 'f', 'p'), bad).toThrowError();
    }
  });
});
