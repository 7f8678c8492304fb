import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  handler,
  topicNameOf,
} from '../../../functions/subscribe-requester/handler';
import { captureLogs } from '../fixtures';

const sns = mockClient(SNSClient);
const topicArn = 'arn:aws:sns:eu-west-1:123456789012:haven-demo-notifications';
const requesterArn = `${topicArn}:11111111-aaaa`;
const event = {
  environment: 'demo',
  email: 'Team@Example.com',
  owner: 'app-team',
  correlation: { environment: 'demo', executionId: 'exec-1' },
};

function subscription(protocol: string, endpoint: string, arn: string) {
  return {
    TopicArn: topicArn,
    Protocol: protocol,
    Endpoint: endpoint,
    SubscriptionArn: arn,
  };
}

describe('subscribe-requester handler', () => {
  beforeEach(() => {
    sns.reset();
    captureLogs();
    sns.on(CreateTopicCommand).resolves({ TopicArn: topicArn });
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: requesterArn });
    sns
      .on(GetSubscriptionAttributesCommand)
      .resolves({ Attributes: { PendingConfirmation: 'true' } });
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('names the topic after the environment', () => {
    // Assess
    expect(topicNameOf('shop-2')).toBe('haven-shop-2-notifications');
  });

  it('creates the topic with the environment tags', async () => {
    // Act
    await handler(event);

    // Assess
    expect(sns).toHaveReceivedCommandWith(CreateTopicCommand, {
      Name: 'haven-demo-notifications',
      Tags: [
        { Key: 'haven:environment', Value: 'demo' },
        { Key: 'haven:owner', Value: 'app-team' },
        { Key: 'haven:managed-by', Value: 'haven' },
      ],
    });
  });

  it('subscribes the requester by email and reports it unconfirmed', async () => {
    // Act
    const result = await handler(event);

    // Assess
    expect(sns.commandCalls(SubscribeCommand)[0].args[0].input).toEqual({
      TopicArn: topicArn,
      Protocol: 'email',
      Endpoint: 'Team@Example.com',
      ReturnSubscriptionArn: true,
    });
    expect(sns).toHaveReceivedCommandWith(GetSubscriptionAttributesCommand, {
      SubscriptionArn: requesterArn,
    });
    expect(result).toEqual({
      topicArn,
      subscriptionArn: requesterArn,
      confirmed: false,
    });
  });

  it.each([
    ['false', true],
    ['true', false],
    [undefined, false],
  ])(
    'reports PendingConfirmation %s as confirmed %s',
    async (pending, confirmed) => {
      // Prepare
      sns.on(GetSubscriptionAttributesCommand).resolves({
        Attributes:
          pending === undefined ? {} : { PendingConfirmation: pending },
      });

      // Act
      const result = await handler(event);

      // Assess
      expect(result.confirmed).toBe(confirmed);
    }
  );

  it('removes only confirmed email subscriptions of other addresses', async () => {
    // Prepare
    sns
      .on(ListSubscriptionsByTopicCommand, {
        TopicArn: topicArn,
        NextToken: undefined,
      })
      .resolves({
        Subscriptions: [
          subscription('email', 'old@example.com', `${topicArn}:old-1`),
          subscription('email', 'team@example.com', requesterArn),
          subscription('email', 'new@example.com', 'PendingConfirmation'),
        ],
        NextToken: 'page-2',
      })
      .on(ListSubscriptionsByTopicCommand, {
        TopicArn: topicArn,
        NextToken: 'page-2',
      })
      .resolves({
        Subscriptions: [
          subscription('sqs', 'arn:aws:sqs:eu-west-1:1:q', `${topicArn}:sqs-1`),
          subscription('email', 'older@example.com', `${topicArn}:old-2`),
        ],
      });

    // Act
    await handler(event);

    // Assess
    const removed = sns
      .commandCalls(UnsubscribeCommand)
      .map((call) => call.args[0].input.SubscriptionArn);
    expect(removed).toEqual([`${topicArn}:old-1`, `${topicArn}:old-2`]);
  });

  it('removes earlier recipients before subscribing the requester', async () => {
    // Prepare
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [
        subscription('email', 'old@example.com', `${topicArn}:old-1`),
      ],
    });

    // Act
    await handler(event);

    // Assess
    const order = sns.calls().map((call) => call.args[0].constructor.name);
    expect(order).toEqual([
      'CreateTopicCommand',
      'ListSubscriptionsByTopicCommand',
      'UnsubscribeCommand',
      'SubscribeCommand',
      'GetSubscriptionAttributesCommand',
    ]);
  });

  it('fails when SNS refuses the topic', async () => {
    // Prepare
    const error = Object.assign(new Error('not allowed'), {
      name: 'AuthorizationErrorException',
    });
    sns.on(CreateTopicCommand).rejects(error);

    // Act
    const invocation = handler(event);

    // Assess
    await expect(invocation).rejects.toBe(error);
    expect(sns).not.toHaveReceivedCommand(SubscribeCommand);
  });
});
