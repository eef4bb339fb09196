/** EventPublisher on an EventBridge bus; every Reversa event has source `reversa`. */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { TransientError } from '#core/errors.ts';
import type { EventPublisher } from '#core/ports.ts';

export const EVENT_SOURCE = 'reversa';

export interface EventBridgePublisherOptions {
  eventBusName: string;
  client?: EventBridgeClient;
}

export class EventBridgePublisher implements EventPublisher {
  private readonly client: EventBridgeClient;
  private readonly eventBusName: string;

  constructor(options: EventBridgePublisherOptions) {
    this.client = options.client ?? new EventBridgeClient({});
    this.eventBusName = options.eventBusName;
  }

  async publish(detailType: string, detail: Record<string, unknown>): Promise<void> {
    const out = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.eventBusName,
            Source: EVENT_SOURCE,
            DetailType: detailType,
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    // PutEvents reports per-entry failures (throttling, internal errors) in a 200 response.
    if ((out.FailedEntryCount ?? 0) > 0) {
      const entry = out.Entries?.[0];
      throw new TransientError(
        'EventPublishFailed',
        `EventBridge refused ${detailType}: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim(),
      );
    }
  }
}
