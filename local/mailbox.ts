import {
  CreateTopicCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { topicNameOf } from '../functions/subscribe-requester/handler';

/** An email haven published, as the emulator kept it. */
export interface PublishedEmail {
  subject: string;
  body: string;
}

/**
 * Reads back what haven emails an environment's team. The emulator delivers
 * nothing to email addresses, so a queue is subscribed to the environment's
 * topic beside the requester, before the workflow publishes; it receives
 * every message the requester would.
 */
export async function openMailbox(environment: string) {
  const sns = new SNSClient({});
  const sqs = new SQSClient({});

  const { TopicArn } = await sns.send(
    new CreateTopicCommand({ Name: topicNameOf(environment) })
  );
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: `${topicNameOf(environment)}-copy` })
  );
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl,
      AttributeNames: ['QueueArn'],
    })
  );
  await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
    })
  );

  return {
    topicArn: TopicArn ?? '',
    /** Every email published so far, oldest first. */
    async read(): Promise<PublishedEmail[]> {
      const emails: PublishedEmail[] = [];
      for (;;) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
          })
        );
        if (Messages.length === 0) return emails;
        for (const message of Messages) {
          const envelope = JSON.parse(message.Body ?? '{}') as {
            Subject?: string;
            Message?: string;
          };
          emails.push({
            subject: envelope.Subject ?? '',
            body: envelope.Message ?? '',
          });
        }
      }
    },
  };
}
