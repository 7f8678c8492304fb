import {
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../../functions/delete-environment/handler';
import type {
  EnvironmentRecord,
  Phase,
} from '../../../functions/shared/records';
import { anApiEvent } from '../api-events';
import { aRequest, awsError, captureLogs } from '../fixtures';

const dynamo = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const alice = 'arn:aws:iam::123456789012:user/alice';
const provisionRun =
  'arn:aws:states:us-east-1:123456789012:execution:haven-provision:demo-1-aa';
const teardownMachine =
  'arn:aws:states:us-east-1:123456789012:stateMachine:haven-teardown';

function aRecord(phase: Phase): EnvironmentRecord {
  return {
    name: 'demo',
    owner: alice,
    request: aRequest({ owner: alice }),
    fingerprint: 'f',
    phase,
    history: [],
    attempt: 1,
    executionArn: provisionRun,
    startedAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

function deleting(query?: Record<string, string>, userArn = alice) {
  return handler(
    anApiEvent({ method: 'DELETE', name: 'demo', query, userArn })
  );
}

function bodyOf(result: { body: string }) {
  return JSON.parse(result.body);
}

beforeEach(() => {
  dynamo.reset();
  sfn.reset();
  captureLogs();
  process.env.ENVIRONMENTS_TABLE = 'haven-environments';
  process.env.TEARDOWN_STATE_MACHINE_ARN = teardownMachine;
  process.env.PLATFORM_ADMIN_PRINCIPALS = '';
  dynamo.on(UpdateCommand).callsFake((input) => ({
    Attributes: {
      ...aRecord('tearing down'),
      teardownExecutionArn: input.ExpressionAttributeValues[
        ':f_teardownExecutionArn'
      ] as string,
      retainBucket: input.ExpressionAttributeValues[':f_retainBucket'],
    },
  }));
  sfn.on(StopExecutionCommand).resolves({});
  sfn.on(StartExecutionCommand).resolves({});
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('DELETE /environments/{name}', () => {
  it('stops a running provisioning before it starts the teardown', async () => {
    dynamo.on(GetCommand).resolves({ Item: aRecord('provisioning') });

    const result = await deleting();

    expect(result.statusCode).toBe(202);
    expect(bodyOf(result).stoppedExecutionArn).toBe(provisionRun);
    expect(sfn).toHaveReceivedCommandWith(StopExecutionCommand, {
      executionArn: provisionRun,
      error: 'EnvironmentDeleted',
    });
    const calls = sfn.calls().map((call) => call.args[0].constructor.name);
    expect(calls).toEqual(['StopExecutionCommand', 'StartExecutionCommand']);
  });

  it('moves the record to tearing down only if it is still as read', async () => {
    dynamo.on(GetCommand).resolves({ Item: aRecord('ready') });

    await deleting();

    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { name: 'demo' },
      ConditionExpression:
        'attribute_exists(#name) AND #phase = :seenPhase AND ' +
        '#attempt = :seenAttempt',
    });
  });

  it.each(['ready', 'failed'] as const)(
    'does not stop anything for a %s environment',
    async (phase) => {
      dynamo.on(GetCommand).resolves({ Item: aRecord(phase) });

      const result = await deleting();

      expect(result.statusCode).toBe(202);
      expect(sfn).not.toHaveReceivedCommand(StopExecutionCommand);
      expect(sfn).toHaveReceivedCommand(StartExecutionCommand);
    }
  );

  it('starts the teardown with the stacks in reverse order', async () => {
    dynamo.on(GetCommand).resolves({ Item: aRecord('ready') });

    await deleting({ retainBucket: 'true' });

    const input = JSON.parse(
      sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '{}'
    );
    expect(input).toMatchObject({
      environment: 'demo',
      retainBucket: true,
      bucket: 'demo-django-static-123456789012',
      topicArn: 'arn:aws:sns:us-east-1:123456789012:haven-demo-notifications',
      teardownOrder: [
        { tier: 'compute', emptyBuckets: false, retainOnRetry: [] },
        { tier: 'data', emptyBuckets: false, retainOnRetry: ['StaticBucket'] },
        { tier: 'network', emptyBuckets: false, retainOnRetry: [] },
      ],
    });
  });

  it('answers a teardown under way again, starting nothing', async () => {
    dynamo.on(GetCommand).resolves({
      Item: { ...aRecord('tearing down'), teardownExecutionArn: 'arn:t' },
    });

    const result = await deleting();

    expect(result.statusCode).toBe(202);
    expect(bodyOf(result).teardownExecutionArn).toBe('arn:t');
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  it("answers 404 for another owner's environment, touching nothing", async () => {
    dynamo.on(GetCommand).resolves({ Item: aRecord('ready') });

    const result = await deleting(
      undefined,
      'arn:aws:iam::123456789012:user/mallory'
    );

    expect(result.statusCode).toBe(404);
    expect(dynamo).not.toHaveReceivedCommand(UpdateCommand);
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  it('rejects a retainBucket that is not true or false', async () => {
    const result = await deleting({ retainBucket: 'maybe' });

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).problems).toEqual([
      { field: 'retainBucket', message: 'must be true or false' },
    ]);
  });

  it('marks the record failed and answers 503 when the teardown cannot start', async () => {
    dynamo.on(GetCommand).resolves({ Item: aRecord('ready') });
    sfn
      .on(StartExecutionCommand)
      .rejects(awsError('ServiceUnavailable', 'try later'));

    const result = await deleting();

    expect(result.statusCode).toBe(503);
    const updates = dynamo.commandCalls(UpdateCommand);
    expect(updates).toHaveLength(2);
    expect(
      updates[1]?.args[0].input.ExpressionAttributeValues?.[':f_phase']
    ).toBe('failed');
  });
});
