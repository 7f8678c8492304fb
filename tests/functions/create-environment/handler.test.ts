import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../../functions/create-environment/handler';
import { anApiEvent } from '../api-events';
import { awsError, captureLogs } from '../fixtures';

const dynamo = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const machine =
  'arn:aws:states:us-east-1:123456789012:stateMachine:haven-provision';
const body = {
  name: 'demo',
  notificationEmail: 'team@example.com',
  app: { repository: 'https://git.example.com/team/app.git' },
};

function posting(payload: unknown = body) {
  return handler(anApiEvent({ method: 'POST', body: payload }));
}

beforeEach(() => {
  dynamo.reset();
  sfn.reset();
  captureLogs();
  process.env.ENVIRONMENTS_TABLE = 'haven-environments';
  process.env.PROVISION_STATE_MACHINE_ARN = machine;
  dynamo.on(GetCommand).resolves({});
  dynamo.on(PutCommand).resolves({});
  dynamo.on(UpdateCommand).resolves({});
  sfn.on(StartExecutionCommand).resolves({});
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('POST /environments', () => {
  it('claims the name before it starts the run it names', async () => {
    const result = await posting();
    const answer = JSON.parse(result.body);
    const put = dynamo.commandCalls(PutCommand)[0]?.args[0].input;
    const started = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;

    expect(result.statusCode).toBe(202);
    expect(put?.ConditionExpression).toBe('attribute_not_exists(#name)');
    expect(put?.Item?.executionArn).toBe(answer.executionArn);
    expect(answer.executionArn).toBe(
      `${machine.replace(':stateMachine:', ':execution:')}:${started?.name}`
    );
    expect(JSON.parse(started?.input ?? '{}')).toMatchObject({
      name: 'demo',
      owner: 'arn:aws:iam::123456789012:user/alice',
    });
  });

  it('gives a lost race the winner when its request is the same', async () => {
    await posting();
    const winner = dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item;
    dynamo.reset();
    sfn.reset();
    dynamo.on(GetCommand).resolvesOnce({}).resolves({ Item: winner });
    dynamo
      .on(PutCommand)
      .rejects(awsError('ConditionalCheckFailedException', 'lost'));

    const result = await posting();

    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body).executionArn).toBe(winner?.executionArn);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('marks the attempt failed and answers 503 when the run cannot start', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(awsError('ServiceUnavailable', 'Step Functions is down'));

    const result = await posting();

    expect(result.statusCode).toBe(503);
    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { name: 'demo' },
    });
    const update = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update?.ExpressionAttributeValues?.[':f_phase']).toBe('failed');
  });

  it('answers a dry run without touching the table or Step Functions', async () => {
    const result = await posting({ ...body, dryRun: true });

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body).estimatedMonthlyCost.monthlyTotal).toBe(
      210.53
    );
    expect(dynamo).not.toHaveReceivedAnyCommand();
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  it('answers 400 naming the field, and touches nothing', async () => {
    const result = await posting({ ...body, sizes: { maxSize: 0 } });

    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).problems[0].field).toBe('sizes.maxSize');
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });

  it('answers 500 without details when haven itself fails', async () => {
    dynamo.on(GetCommand).rejects(new Error('secret internal detail'));

    const result = await posting();

    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('secret internal detail');
    expect(JSON.parse(result.body).requestId).toBe('request-1');
  });
});
