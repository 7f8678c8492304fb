import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CloudFormationClient,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import {
  CreateTopicCommand,
  ListTopicsCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { isThrottlingError } from '@smithy/service-error-classification';
import type { AwsCall } from '../../local/aws-call';
import { seededRandom } from '../../local/fault-proxy';
import { dropConnections, slowAnswer, throttle } from '../../local/faults';
import { useFaultyAws } from '../support/fault-proxy';

const aws = useFaultyAws();
const once = { maxAttempts: 1 };

type Send = (settings: { maxAttempts: number }) => Promise<unknown>;

const calls: [string, string, string, Send][] = [
  [
    'cloudformation',
    'ListStacks',
    'Throttling',
    (s) => new CloudFormationClient(s).send(new ListStacksCommand({})),
  ],
  [
    'rds',
    'DescribeDBInstances',
    'Throttling',
    (s) => new RDSClient(s).send(new DescribeDBInstancesCommand({})),
  ],
  [
    'elasticloadbalancing',
    'DescribeLoadBalancers',
    'Throttling',
    (s) =>
      new ElasticLoadBalancingV2Client(s).send(
        new DescribeLoadBalancersCommand({})
      ),
  ],
  [
    'autoscaling',
    'DescribeAutoScalingGroups',
    'Throttling',
    (s) =>
      new AutoScalingClient(s).send(new DescribeAutoScalingGroupsCommand({})),
  ],
  [
    'sns',
    'ListTopics',
    'Throttling',
    (s) => new SNSClient(s).send(new ListTopicsCommand({})),
  ],
  [
    'dynamodb',
    'ListTables',
    'ThrottlingException',
    (s) => new DynamoDBClient(s).send(new ListTablesCommand({})),
  ],
  [
    'states',
    'ListStateMachines',
    'ThrottlingException',
    (s) => new SFNClient(s).send(new ListStateMachinesCommand({})),
  ],
  [
    's3',
    'GET',
    'SlowDown',
    (s) =>
      new S3Client({ ...s, forcePathStyle: true }).send(
        new ListBucketsCommand({})
      ),
  ],
];

function seen(): AwsCall[] {
  const found: AwsCall[] = [];
  aws().proxy.add({
    description: 'records',
    when: (call) => {
      found.push(call);
      return false;
    },
    action: { type: 'drop' },
  });

  return found;
}

describe('fault proxy', () => {
  it.each(calls)(
    'names the service %s and the operation %s of a call',
    async (service, operation, _code, send) => {
      const found = seen();

      await send(once);

      expect(found.map((c) => [c.service, c.operation])).toEqual([
        [service, operation],
      ]);
    }
  );

  it.each(calls)(
    'throttles %s %s in a shape the SDK reads as %s',
    async (_service, _operation, code, send) => {
      aws().proxy.add(...throttle(1));

      const error = (await send(once).catch((e: unknown) => e)) as Error;

      expect(error.name).toBe(code);
      expect(isThrottlingError(error as never)).toBe(true);
    }
  );

  it('lets the SDK retry a throttled call until it passes', async () => {
    aws().proxy.add({ ...throttle(1)[0], times: 2 });
    const cloudFormation = new CloudFormationClient({ maxAttempts: 3 });

    const { $metadata } = await cloudFormation.send(new ListStacksCommand({}));

    expect($metadata.attempts).toBe(3);
  });

  it('passes calls it has no rule for through unchanged', async () => {
    const sns = new SNSClient({});
    await sns.send(new CreateTopicCommand({ Name: 'through-the-proxy' }));
    const direct = new SNSClient({ endpoint: aws().emulator.endpoint });

    const { Topics = [] } = await direct.send(new ListTopicsCommand({}));

    expect(Topics.map((t) => t.TopicArn)).toEqual([
      'arn:aws:sns:us-east-1:123456789012:through-the-proxy',
    ]);
    expect(aws().proxy.calls).toEqual([
      {
        service: 'sns',
        operation: 'CreateTopic',
        faults: [],
        receivedAt: expect.any(Number),
        emulatorMs: expect.any(Number),
      },
    ]);
  });

  it.each([
    ['skips the first calls', { skip: 2 }, [false, false, true, true]],
    ['acts a number of times', { times: 1 }, [true, false, false, false]],
  ])('%s', async (_title, limits, expected) => {
    aws().proxy.add({ ...throttle(1)[0], ...limits });
    const cloudFormation = new CloudFormationClient(once);

    const outcomes: boolean[] = [];
    for (let i = 0; i < 4; i += 1) {
      const error = await cloudFormation
        .send(new ListStacksCommand({}))
        .then(() => undefined)
        .catch((e: unknown) => e);
      outcomes.push(error !== undefined);
    }

    expect(outcomes).toEqual(expected);
  });

  it('acts on about the fraction of calls it is given', async () => {
    aws().proxy.add(...throttle(0.3));
    const sns = new SNSClient(once);

    for (let i = 0; i < 100; i += 1) {
      await sns.send(new ListTopicsCommand({})).catch(() => undefined);
    }
    const throttled = aws().proxy.calls.filter((c) => c.faults.length > 0);

    expect(throttled.length).toBeGreaterThan(15);
    expect(throttled.length).toBeLessThan(45);
  });

  it('rolls the same chances on every run', () => {
    const first = seededRandom(7);
    const second = seededRandom(7);

    expect([first(), first()]).toEqual([second(), second()]);
  });

  it('retires a rule some time after it first acted', async () => {
    aws().proxy.add({ ...throttle(1)[0], forMs: 50 });
    const cloudFormation = new CloudFormationClient(once);
    const send = () =>
      cloudFormation.send(new ListStacksCommand({})).then(
        () => 'passed',
        () => 'throttled'
      );

    const first = await send();
    await new Promise((resolve) => setTimeout(resolve, 80));

    expect([first, await send()]).toEqual(['throttled', 'passed']);
  });

  it('delays an answer after the call took effect', async () => {
    aws().proxy.add(...slowAnswer('sns', 'CreateTopic', 300));
    const sns = new SNSClient({});
    const started = Date.now();

    await sns.send(new CreateTopicCommand({ Name: 'slow' }));

    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('drops a connection, which the SDK retries as transient', async () => {
    aws().proxy.add(...dropConnections('sns', 'ListTopics', 1));
    const sns = new SNSClient({ maxAttempts: 2 });

    const { $metadata } = await sns.send(new ListTopicsCommand({}));

    expect($metadata.attempts).toBe(2);
    expect(aws().proxy.calls[0]?.faults).toEqual([
      'sns ListTopics loses its connection',
    ]);
  });
});
