import {
  CloudFormationClient,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  handler,
  NotificationError,
  type NotifyEvent,
} from '../../../functions/notify/handler';
import type { WorkflowState } from '../../../functions/shared/workflow';
import { aRequest, aWorkflowState, awsError, captureLogs } from '../fixtures';

const sns = mockClient(SNSClient);
const cfn = mockClient(CloudFormationClient);
const topicArn = 'arn:aws:sns:eu-west-1:123456789012:haven-demo-notifications';

function eventFor(
  outcome: NotifyEvent['outcome'],
  overrides: Partial<WorkflowState> = {}
): NotifyEvent {
  const state = aWorkflowState({
    data: {
      tier: 'data',
      stackName: 'haven-demo-data',
      status: 'CREATE_COMPLETE',
      ready: true,
      attempt: 2,
      waitSeconds: 0,
      outputs: {
        DBEndpointAddress: 'demo-db.abc.eu-west-1.rds.amazonaws.com',
        DBEndpointPort: '5432',
        StaticBucketName: 'demo-django-static-123456789012',
      },
    },
    compute: {
      tier: 'compute',
      stackName: 'haven-demo-compute',
      status: 'CREATE_COMPLETE',
      ready: true,
      attempt: 2,
      waitSeconds: 0,
      outputs: { AppUrl: 'https://demo.example.com' },
    },
    failure: { step: 'Create the compute stack', tier: 'compute' },
    error: {
      Error: 'StackFailedError',
      Cause: '{"errorType":"StackFailedError","errorMessage":"it failed"}',
    },
    cleanup: [
      { tier: 'compute', stackName: 'haven-demo-compute', outcome: 'deleted' },
    ],
    ...overrides,
  });

  return { outcome, state, correlation: state.correlation };
}

function published() {
  return sns.commandCalls(PublishCommand)[0]?.args[0].input;
}

function stackIs(name: string, status: 'CREATE_COMPLETE' | 'CREATE_FAILED') {
  cfn.on(DescribeStacksCommand, { StackName: name }).resolves({
    Stacks: [
      { StackName: name, StackStatus: status, CreationTime: new Date() },
    ],
  });
}

describe('notify handler', () => {
  beforeEach(() => {
    sns.reset();
    cfn.reset();
    captureLogs();
    jest.useFakeTimers({
      now: new Date('2024-05-01T10:42:07.000Z'),
      doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'queueMicrotask'],
    });
    sns.on(PublishCommand).resolves({ MessageId: 'message-1' });
    cfn
      .on(DescribeStacksCommand)
      .rejects(awsError('ValidationError', 'Stack with id x does not exist'));
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it("publishes the success email to the environment's topic", async () => {
    // Act
    const result = await handler(eventFor('succeeded'));

    // Assess
    expect(published()).toMatchObject({
      TopicArn: topicArn,
      Subject: 'haven: environment demo is ready',
    });
    expect(published()?.Message).toContain(
      'App URL:        https://demo.example.com'
    );
    expect(published()?.Message).toContain('Total time:     42 min 7 s');
    expect(result).toEqual({
      messageId: 'message-1',
      subject: 'haven: environment demo is ready',
    });
  });

  it('publishes what failed and what was deleted after a rollback', async () => {
    // Act
    const result = await handler(eventFor('failed'));

    // Assess
    expect(result.subject).toBe(
      'haven: environment demo failed at create the compute stack'
    );
    expect(published()?.Message).toContain('What failed: it failed');
    expect(published()?.Message).toContain('  - haven-demo-compute: deleted');
    expect(cfn).not.toHaveReceivedCommand(DescribeStacksCommand);
  });

  it('lists the kept stacks with their statuses without rollback', async () => {
    // Prepare
    stackIs('haven-demo-network', 'CREATE_COMPLETE');
    stackIs('haven-demo-data', 'CREATE_COMPLETE');
    stackIs('haven-demo-compute', 'CREATE_FAILED');

    // Act
    await handler(
      eventFor('failed', { request: aRequest({ rollbackOnFailure: false }) })
    );

    // Assess
    expect(published()?.Message).toContain(
      [
        '  - haven-demo-network (CREATE_COMPLETE)',
        '  - haven-demo-data (CREATE_COMPLETE)',
        '  - haven-demo-compute (CREATE_FAILED)',
      ].join('\n')
    );
  });

  it('leaves out kept stacks that are gone', async () => {
    // Prepare
    stackIs('haven-demo-network', 'CREATE_COMPLETE');
    cfn.on(DescribeStacksCommand, { StackName: 'haven-demo-data' }).resolves({
      Stacks: [
        {
          StackName: 'haven-demo-data',
          StackStatus: 'DELETE_COMPLETE',
          CreationTime: new Date(),
        },
      ],
    });

    // Act
    await handler(
      eventFor('failed', { request: aRequest({ rollbackOnFailure: false }) })
    );

    // Assess
    const message = published()?.Message ?? '';
    expect(message).toContain('  - haven-demo-network (CREATE_COMPLETE)');
    expect(message).not.toContain('haven-demo-data (');
    expect(message).not.toContain('haven-demo-compute (');
  });

  it('still emails when a kept stack cannot be described', async () => {
    // Prepare
    stackIs('haven-demo-network', 'CREATE_COMPLETE');
    cfn
      .on(DescribeStacksCommand, { StackName: 'haven-demo-data' })
      .rejects(awsError('AccessDenied', 'not allowed'));

    // Act
    await handler(
      eventFor('failed', { request: aRequest({ rollbackOnFailure: false }) })
    );

    // Assess
    expect(published()?.Message).toContain(
      '  - haven-demo-data (status unknown: AccessDenied)'
    );
  });

  it('fails with NotificationError when there is no topic', async () => {
    // Act
    const invocation = handler(
      eventFor('failed', { notifications: undefined })
    );

    // Assess
    await expect(invocation).rejects.toThrow(
      new NotificationError(
        'No email can be sent for demo: the requester was never subscribed ' +
          'to its topic.'
      )
    );
    await expect(invocation).rejects.toHaveProperty(
      'name',
      'NotificationError'
    );
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('passes on an error of SNS', async () => {
    // Prepare
    const error = awsError('NotFound', 'Topic does not exist');
    sns.on(PublishCommand).rejects(error);

    // Act
    const invocation = handler(eventFor('succeeded'));

    // Assess
    await expect(invocation).rejects.toBe(error);
  });
});
