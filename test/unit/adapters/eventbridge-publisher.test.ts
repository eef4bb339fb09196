import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { EventBridgePublisher } from '#adapters/aws/eventbridge-publisher.ts';
import { TransientError } from '#core/errors.ts';

// Error injection and the exact request; the event is routed by a real event pattern in test/aws/ (moto).
describe('EventBridgePublisher', () => {
  it('puts one event on the configured bus with source reversa and the detail as JSON', async () => {
    const client = new EventBridgeClient({ region: 'eu-west-3' });
    const mock = mockClient(client);
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });

    await new EventBridgePublisher({ eventBusName: 'bus', client }).publish('Verification Completed', {
      tenantId: 'acme',
    });

    expect(mock.commandCalls(PutEventsCommand)[0]?.args[0].input).toEqual({
      Entries: [
        { EventBusName: 'bus', Source: 'reversa', DetailType: 'Verification Completed', Detail: '{"tenantId":"acme"}' },
      ],
    });
  });

  it('raises a retryable error when EventBridge refuses the entry', async () => {
    const client = new EventBridgeClient({ region: 'eu-west-3' });
    mockClient(client)
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException' }] });

    const attempt = new EventBridgePublisher({ eventBusName: 'bus', client }).publish('X', {});

    await expect(attempt).rejects.toBeInstanceOf(TransientError);
  });
});
