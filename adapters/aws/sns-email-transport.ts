/**
 * E-mail through SNS: one topic for all notification e-mail; each `email` subscription is an SNS
 * e-mail subscription on it with a filter policy on the `subscription` attribute
 * (`<tenant>/<subscription id>`), so a message reaches exactly the address it is for. SNS e-mail
 * is plain text (the HTML rendering is for the local mail drop and SES, later).
 */
import {
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import type { NotificationTransport } from '#core/notifications/ports.ts';
import { classifySdkError } from './sdk-errors.ts';

export const SNS_SUBSCRIPTION_ATTRIBUTE = 'subscription';
export const snsSubscriptionKey = (tenantId: string, subscriptionId: string) => `${tenantId}/${subscriptionId}`;

export function snsEmailTransport(topicArn: string, client: SNSClient = new SNSClient({})): NotificationTransport {
  return {
    async send(message) {
      if (message.channel !== 'email') return { kind: 'failed', error: 'SNS sends e-mail only' };
      try {
        await client.send(
          new PublishCommand({
            TopicArn: topicArn,
            Subject: message.message.subject.slice(0, 100),
            Message: message.message.text,
            MessageAttributes: {
              [SNS_SUBSCRIPTION_ATTRIBUTE]: {
                DataType: 'String',
                StringValue: snsSubscriptionKey(message.tenantId, message.subscriptionId),
              },
            },
          }),
        );
        return { kind: 'delivered' };
      } catch (error) {
        const facts = classifySdkError(error);
        // Throttling and 5xx are retried; anything else is a refusal (400-like).
        return facts.kind === 'transient'
          ? { kind: 'failed', error: (error as Error).name }
          : { kind: 'failed', status: 400, error: (error as Error).name };
      }
    },
  };
}

/** What `notify add --email` does on a stack: SNS asks the address to confirm before anything is sent. */
export async function subscribeEmail(
  client: SNSClient,
  topicArn: string,
  tenantId: string,
  subscriptionId: string,
  address: string,
): Promise<void> {
  await client.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'email',
      Endpoint: address,
      Attributes: {
        FilterPolicy: JSON.stringify({ [SNS_SUBSCRIPTION_ATTRIBUTE]: [snsSubscriptionKey(tenantId, subscriptionId)] }),
      },
    }),
  );
}

export async function unsubscribeEmail(client: SNSClient, topicArn: string, address: string): Promise<void> {
  let token: string | undefined;
  do {
    const page = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: token }));
    for (const s of page.Subscriptions ?? []) {
      if (s.Protocol === 'email' && s.Endpoint === address && s.SubscriptionArn?.startsWith('arn:')) {
        await client.send(new UnsubscribeCommand({ SubscriptionArn: s.SubscriptionArn }));
      }
    }
    token = page.NextToken;
  } while (token);
}
