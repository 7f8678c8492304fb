import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  handler,
  type RecordProgressEvent,
} from '../../../functions/record-progress/handler';
import { awsError, captureLogs } from '../fixtures';

const dynamo = mockClient(DynamoDBDocumentClient);
const run =
  'arn:aws:states:us-east-1:123456789012:execution:haven-provision:demo-1-a';

function eventOf(overrides: Partial<RecordProgressEvent>): RecordProgressEvent {
  return {
    environment: 'demo',
    executionArn: run,
    phase: 'provisioning',
    step: 'Create the network stack',
    ...overrides,
  };
}

function written(): Record<string, unknown> {
  const values =
    dynamo.commandCalls(UpdateCommand)[0]?.args[0].input
      .ExpressionAttributeValues ?? {};

  return Object.fromEntries(
    Object.entries(values)
      .filter(([key]) => key.startsWith(':f_'))
      .map(([key, value]) => [key.slice(3), value])
  );
}

beforeEach(() => {
  dynamo.reset();
  captureLogs();
  process.env.ENVIRONMENTS_TABLE = 'haven-environments';
  dynamo.on(UpdateCommand).resolves({ Attributes: {} });
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('record-progress', () => {
  it('writes only while the run is the record’s current one', async () => {
    await handler(eventOf({}));

    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      ConditionExpression:
        'attribute_exists(#name) AND ((#executionArn = :run AND #phase = ' +
        ':provisioning) OR (#teardownExecutionArn = :run AND #phase = ' +
        ':tearingDown))',
    });
  });

  it('records the outputs once ready', async () => {
    await handler(
      eventOf({
        phase: 'ready',
        step: 'Email the requester that the environment is ready',
        compute: { AppUrl: 'http://demo-alb.example' },
        data: {
          DBEndpointAddress: 'demo.rds.example',
          DBEndpointPort: '5432',
          StaticBucketName: 'demo-django-static-1',
        },
      })
    );

    expect(written()).toMatchObject({
      phase: 'ready',
      outputs: {
        appUrl: 'http://demo-alb.example',
        databaseEndpoint: 'demo.rds.example:5432',
        bucket: 'demo-django-static-1',
      },
      endedAt: expect.any(String),
    });
  });

  it('records the failed step and the message of the error', async () => {
    await handler(
      eventOf({
        phase: 'failed',
        step: 'Create the data stack',
        error: {
          Error: 'StackFailedError',
          Cause: JSON.stringify({ errorMessage: 'The data stack failed.' }),
        },
      })
    );

    expect(written()).toMatchObject({
      phase: 'failed',
      error: {
        error: 'StackFailedError',
        cause: 'The data stack failed.',
        step: 'Create the data stack',
      },
    });
  });

  it.each([
    [
      'every stack deleted',
      [
        {
          tier: 'compute',
          stackName: 'haven-demo-compute',
          outcome: 'deleted',
        },
        {
          tier: 'network',
          stackName: 'haven-demo-network',
          outcome: 'deleted',
        },
      ],
      'deleted',
      [],
    ],
    [
      'a stack left behind',
      [
        {
          tier: 'compute',
          stackName: 'haven-demo-compute',
          outcome: 'deleted',
        },
        {
          tier: 'data',
          stackName: 'haven-demo-data',
          outcome: 'delete failed',
          detail: JSON.stringify({ errorMessage: 'StaticBucket not empty' }),
        },
      ],
      'failed',
      ['haven-demo-data: StaticBucket not empty'],
    ],
    [
      'no report at all',
      [],
      'failed',
      ['the teardown stopped before it deleted every stack'],
    ],
  ] as const)(
    'ends a teardown with %s',
    async (_case, cleanup, phase, leftBehind) => {
      const result = await handler(
        eventOf({
          phase: 'deleted',
          step: 'Delete the stacks in reverse order',
          cleanup: [...cleanup],
        })
      );

      expect(result).toEqual({ recorded: true, phase, leftBehind });
      expect(written()).toMatchObject({ phase, leftBehind });
    }
  );

  it('changes nothing, and does not fail, for a run that lost the record', async () => {
    dynamo
      .on(UpdateCommand)
      .rejects(awsError('ConditionalCheckFailedException', 'guard'));

    const result = await handler(eventOf({}));

    expect(result.recorded).toBe(false);
  });
});
