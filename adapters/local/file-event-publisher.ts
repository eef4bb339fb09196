/**
 * Local EventPublisher: there is no EventBridge emulator, so events are appended as JSON lines
 * (the same envelope fields as an EventBridge event) to a file the demo and tests can read back.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Clock, type EventPublisher, systemClock } from '#core/ports.ts';

export const LOCAL_EVENT_SOURCE = 'reversa';

export interface LocalEvent {
  source: string;
  'detail-type': string;
  /** ISO-8601. */
  time: string;
  detail: Record<string, unknown>;
}

export class FileEventPublisher implements EventPublisher {
  constructor(
    private readonly file: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async publish(detailType: string, detail: Record<string, unknown>): Promise<void> {
    const event: LocalEvent = {
      source: LOCAL_EVENT_SOURCE,
      'detail-type': detailType,
      time: new Date(this.clock.now()).toISOString(),
      detail,
    };
    await mkdir(dirname(this.file), { recursive: true });
    // One appendFile call per line: concurrent publishers in one process never interleave a line.
    await appendFile(this.file, `${JSON.stringify(event)}\n`, 'utf8');
  }
}

/** Every event published to `file` so far, oldest first (empty when nothing was published). */
export async function readLocalEvents(file: string): Promise<LocalEvent[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LocalEvent);
}
