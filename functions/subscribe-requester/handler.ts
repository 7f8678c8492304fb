import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { sdkSettings, traced } from '../shared/clients';
import { type TaskEvent, taskHandler } from '../shared/handler';
import { logger } from '../shared/logger';

const sns = traced(new SNSClient(sdkSettings));

export interface SubscribeRequesterEvent extends TaskEvent {
  environment: string;
  email: string;
  owner: string;
}

export interface SubscribeRequesterResult {
  topicArn: string;
  subscriptionArn: string;
  confirmed: boolean;
}

/** Each environment has its own topic, so its emails reach its team only. */
export function topicNameOf(environment: string): string {
  return `haven-${environment}-notifications`;
}

async function emailSubscriptions(topicArn: string) {
  const found: { arn: string; endpoint: string }[] = [];
  let NextToken: string | undefined;
  do {
    const page = await sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken })
    );
    for (const subscription of page.Subscriptions ?? []) {
      if (subscription.Protocol === 'email') {
        found.push({
          arn: subscription.SubscriptionArn ?? '',
          endpoint: subscription.Endpoint ?? '',
        });
      }
    }
    NextToken = page.NextToken;
  } while (NextToken);

  return found;
}

/**
 * Makes sure the requester, and nobody else, receives this environment's
 * emails. The topic is created if missing; an email subscription left by an
 * earlier team that used the same name is removed. SNS only delivers to an
 * email address after its owner confirmed the subscription.
 */
export const handler = taskHandler(
  'subscribe the requester',
  async (event: SubscribeRequesterEvent): Promise<SubscribeRequesterResult> => {
    const { TopicArn: topicArn = '' } = await sns.send(
      new CreateTopicCommand({
        Name: topicNameOf(event.environment),
        Tags: [
          { Key: 'haven:environment', Value: event.environment },
          { Key: 'haven:owner', Value: event.owner },
          { Key: 'haven:managed-by', Value: 'haven' },
        ],
      })
    );

    const existing = await emailSubscriptions(topicArn);
    for (const other of existing) {
      const isRequester =
        other.endpoint.toLowerCase() === event.email.toLowerCase();
      // A subscription still waiting for confirmation has no ARN yet and
      // cannot be removed; it receives nothing and lapses after three days.
      if (!isRequester && other.arn.startsWith('arn:')) {
        await sns.send(new UnsubscribeCommand({ SubscriptionArn: other.arn }));
        logger.info('earlier recipient removed', { subscription: other.arn });
      }
    }

    const { SubscriptionArn: subscriptionArn = '' } = await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'email',
        Endpoint: event.email,
        ReturnSubscriptionArn: true,
      })
    );
    const { Attributes: attributes } = await sns.send(
      new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn })
    );
    const confirmed = attributes?.PendingConfirmation === 'false';
    logger.info('requester subscribed', { topicArn, confirmed });

    return { topicArn, subscriptionArn, confirmed };
  }
);
