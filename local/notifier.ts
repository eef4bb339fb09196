/**
 * Notification delivery on the local cloud: the consumer of the events file (the local bus, where
 * the FileEventPublisher appends every event) and of the retry outbox. `pumpNotifications` reads the
 * events appended since its cursor, delivers each (first attempts), then runs the retries that are
 * due by the injected clock. It runs when a CLI command closes its platform and every 10 seconds
 * under `reversa local up`: what the EventBridge rule, SQS and the delivery Lambda do in AWS.
 *
 * The cursor advances after each event, so a killed process re-reads at most the event it was on;
 * the delivery log recognises that event as delivered and does not send it again.
 */
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LocalEvent } from '#adapters/local/file-event-publisher.ts';
import type { NotificationOutbox } from '#adapters/local/notification-outbox.ts';
import { fromBusEvent } from '#core/notifications/bus.ts';
import type { DeliveryRecord } from '#core/notifications/ports.ts';
import { attemptDelivery, deliverEvent, type NotifyDeps } from '#core/use-cases/notify.ts';

export interface LocalNotifier {
  deps: NotifyDeps;
  outbox: NotificationOutbox;
  eventsFile: string;
  cursorFile: string;
  /**
   * Where to start when there is no cursor yet: the end of the bus when the notifier was built, so a
   * home that had events before notifications existed does not replay its history to new
   * subscriptions (an EventBridge rule sees only events put after it exists). 0 on a fresh home.
   */
  startOffset?: number;
}

export interface PumpResult {
  events: number;
  attempts: DeliveryRecord[];
}

async function readCursor(file: string, fallback: number): Promise<number> {
  try {
    const offset = Number((await readFile(file, 'utf8')).trim());
    return Number.isSafeInteger(offset) && offset >= 0 ? offset : 0;
  } catch {
    return fallback;
  }
}

/** The complete lines appended after `offset`, each with the offset just past it. */
async function linesAfter(file: string, offset: number): Promise<{ line: string; end: number }[]> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    const { size } = await handle.stat();
    // A file shorter than the cursor was replaced (a new home): start again from its beginning.
    const from = size < offset ? 0 : offset;
    const buffer = Buffer.alloc(size - from);
    await handle.read(buffer, 0, buffer.length, from);
    const out: { line: string; end: number }[] = [];
    let start = 0;
    for (let i = buffer.indexOf(10); i >= 0; i = buffer.indexOf(10, start)) {
      out.push({ line: buffer.subarray(start, i).toString('utf8'), end: from + i + 1 });
      start = i + 1;
    }
    return out;
  } finally {
    await handle.close();
  }
}

export async function pumpNotifications(notifier: LocalNotifier): Promise<PumpResult> {
  const attempts: DeliveryRecord[] = [];
  let events = 0;
  const offset = await readCursor(notifier.cursorFile, notifier.startOffset ?? 0);
  for (const { line, end } of await linesAfter(notifier.eventsFile, offset)) {
    let parsed: LocalEvent | undefined;
    try {
      parsed = JSON.parse(line) as LocalEvent;
    } catch {
      parsed = undefined; // a torn line is skipped, as EventBridge never delivers one
    }
    const event = parsed ? fromBusEvent(parsed['detail-type'], parsed.detail ?? {}) : undefined;
    if (event) {
      events++;
      attempts.push(...(await deliverEvent(notifier.deps, event)));
    }
    await mkdir(dirname(notifier.cursorFile), { recursive: true });
    await writeFile(notifier.cursorFile, String(end));
  }
  await notifier.outbox.processDue(notifier.deps.clock.now(), async (job) => {
    attempts.push(await attemptDelivery(notifier.deps, job));
  });
  return { events, attempts };
}
