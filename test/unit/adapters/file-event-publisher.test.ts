import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileEventPublisher, readLocalEvents } from '#adapters/local/file-event-publisher.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('FileEventPublisher', () => {
  it('appends each event as one JSON line with the EventBridge envelope fields', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reversa-events-'));
    dirs.push(dir);
    const file = join(dir, 'nested', 'events.jsonl');
    const publisher = new FileEventPublisher(file, { now: () => Date.parse('2026-02-01T10:00:00Z') });

    await Promise.all([
      publisher.publish('Verification Completed', { tenantId: 'acme', n: 1 }),
      publisher.publish('Verification Completed', { tenantId: 'acme', n: 2 }),
    ]);

    const events = await readLocalEvents(file);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      source: 'reversa',
      'detail-type': 'Verification Completed',
      time: '2026-02-01T10:00:00.000Z',
    });
    expect(events.map((e) => e.detail.n).sort()).toEqual([1, 2]);
  });

  it('reads no events from a file never written', async () => {
    expect(await readLocalEvents(join(tmpdir(), 'reversa-no-such-dir', 'events.jsonl'))).toEqual([]);
  });
});
