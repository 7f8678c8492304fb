import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  type Stack,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  type CheckStackEvent,
  handler,
} from '../../../functions/check-stack/handler';
import {
  StackDeleteFailedError,
  StackFailedError,
  StackTimeoutError,
} from '../../../functions/shared/errors';
import { awsError, captureLogs } from '../fixtures';

const cfn = mockClient(CloudFormationClient);
const stackId =
  'arn:aws:cloudformation:eu-west-1:123456789012:stack/haven-demo-network/3';

function eventFor(overrides: Partial<CheckStackEvent> = {}): CheckStackEvent {
  return {
    tier: 'network',
    stackName: 'haven-demo-network',
    stackId,
    attempt: 0,
    correlation: { environment: 'demo', executionId: 'exec-1' },
    ...overrides,
  };
}

function stackIs(status: StackStatus, extra: Partial<Stack> = {}) {
  cfn.on(DescribeStacksCommand, { StackName: stackId }).resolves({
    Stacks: [
      {
        StackName: 'haven-demo-network',
        StackId: stackId,
        StackStatus: status,
        CreationTime: new Date(),
        ...extra,
      },
    ],
  });
}

function stackIsGone() {
  cfn
    .on(DescribeStacksCommand)
    .rejects(
      awsError('ValidationError', `Stack with id ${stackId} does not exist`)
    );
}

describe('check-stack handler', () => {
  beforeEach(() => {
    cfn.reset();
    captureLogs();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('while creating', () => {
    it('reports a CREATE_COMPLETE stack ready with its outputs', async () => {
      // Prepare
      stackIs('CREATE_COMPLETE', {
        Outputs: [
          { OutputKey: 'VpcId', OutputValue: 'vpc-1' },
          { OutputKey: 'PrivateSubnetIds', OutputValue: 'subnet-3,subnet-4' },
        ],
      });

      // Act
      const progress = await handler(eventFor({ attempt: 4 }));

      // Assess
      expect(progress).toEqual({
        tier: 'network',
        stackName: 'haven-demo-network',
        stackId,
        status: 'CREATE_COMPLETE',
        ready: true,
        attempt: 4,
        waitSeconds: 0,
        outputs: { VpcId: 'vpc-1', PrivateSubnetIds: 'subnet-3,subnet-4' },
      });
    });

    it('looks the stack up by its id', async () => {
      // Prepare
      stackIs('CREATE_COMPLETE');

      // Act
      await handler(eventFor());

      // Assess
      expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, {
        StackName: stackId,
      });
    });

    it.each([
      ['network', 0, 1, 10],
      ['data', 0, 1, 10],
      ['compute', 3, 4, 13],
    ] as const)(
      'asks the %s stack after look %i for look %i in %i seconds',
      async (tier, attempt, next, waitSeconds) => {
        // Prepare
        stackIs('CREATE_IN_PROGRESS');

        // Act
        const progress = await handler(eventFor({ tier, attempt }));

        // Assess
        expect(progress).toEqual({
          tier,
          stackName: 'haven-demo-network',
          stackId,
          status: 'CREATE_IN_PROGRESS',
          ready: false,
          attempt: next,
          waitSeconds,
        });
      }
    );

    it.each([
      // The network plan: 150 s, then 10 s growing by a tenth up to 60 s
      // each, for at most 30 minutes.
      ['network', 36, false],
      ['network', 37, true],
      // The data plan: 990 s, then the same intervals, for 90 minutes.
      ['data', 62, false],
      ['data', 63, true],
    ] as const)(
      'gives the %s stack up after look %i: %s',
      async (tier, attempt, givesUp) => {
        // Prepare
        stackIs('CREATE_IN_PROGRESS');

        // Act
        const outcome = await handler(eventFor({ tier, attempt })).then(
          () => 'waits',
          (error: Error) => error.name
        );

        // Assess
        expect(outcome).toBe(givesUp ? 'StackTimeoutError' : 'waits');
      }
    );

    it('says in the timeout how long it waited and in what state', async () => {
      // Prepare
      stackIs('CREATE_IN_PROGRESS');

      // Act
      const invocation = handler(eventFor({ attempt: 37 }));

      // Assess
      await expect(invocation).rejects.toThrow(
        new StackTimeoutError(
          'The network stack haven-demo-network is still CREATE_IN_PROGRESS ' +
            'after 30 minutes, the longest haven waits for it.'
        )
      );
    });

    it.each<StackStatus>([
      'ROLLBACK_COMPLETE',
      'ROLLBACK_IN_PROGRESS',
      'CREATE_FAILED',
    ])('fails a %s stack naming the first failed resource', async (status) => {
      // Prepare
      stackIs(status);
      cfn.on(DescribeStackEventsCommand).resolves({
        StackEvents: [
          {
            StackId: stackId,
            StackName: 'haven-demo-network',
            EventId: 'e2',
            Timestamp: new Date(),
            LogicalResourceId: 'NatGateway1',
            ResourceType: 'AWS::EC2::NatGateway',
            ResourceStatus: 'CREATE_FAILED',
            ResourceStatusReason: 'Resource creation cancelled',
          },
          {
            StackId: stackId,
            StackName: 'haven-demo-network',
            EventId: 'e1',
            Timestamp: new Date(),
            LogicalResourceId: 'ElasticIp1',
            ResourceType: 'AWS::EC2::EIP',
            ResourceStatus: 'CREATE_FAILED',
            ResourceStatusReason: 'The maximum number of addresses is reached',
          },
        ],
      });

      // Act
      const invocation = handler(eventFor());

      // Assess
      await expect(invocation).rejects.toThrow(
        new StackFailedError(
          `The network stack haven-demo-network failed (${status}). ` +
            'First failed resource: ElasticIp1 (AWS::EC2::EIP) CREATE_FAILED: ' +
            'The maximum number of addresses is reached'
        )
      );
      await expect(invocation).rejects.toBeInstanceOf(StackFailedError);
    });

    it("falls back to the stack's reason when no resource failed", async () => {
      // Prepare
      stackIs('ROLLBACK_COMPLETE', {
        StackStatusReason: 'Template error: unresolved parameter',
      });
      cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });

      // Act
      const invocation = handler(eventFor());

      // Assess
      await expect(invocation).rejects.toThrow(
        'First failed resource: Template error: unresolved parameter'
      );
    });

    it('fails when the stack disappeared', async () => {
      // Prepare
      stackIsGone();

      // Act
      const invocation = handler(eventFor());

      // Assess
      await expect(invocation).rejects.toThrow(
        new StackFailedError(
          'The network stack haven-demo-network disappeared while it was ' +
            'being created: someone or something deleted it.'
        )
      );
    });

    // Described by its id, a deleted stack does not disappear: CloudFormation
    // keeps answering with its deletion status for about 90 days.
    it.each<StackStatus>(['DELETE_COMPLETE', 'DELETE_IN_PROGRESS'])(
      'fails at once when the stack is %s instead of waiting out the bound',
      async (status) => {
        // Prepare
        stackIs(status);

        // Act
        const invocation = handler(eventFor());

        // Assess
        await expect(invocation).rejects.toBeInstanceOf(StackFailedError);
      }
    );

    it('looks the stack up by name when there is no id', async () => {
      // Prepare
      cfn
        .on(DescribeStacksCommand, { StackName: 'haven-demo-network' })
        .resolves({
          Stacks: [
            {
              StackName: 'haven-demo-network',
              StackId: stackId,
              StackStatus: 'CREATE_COMPLETE',
              CreationTime: new Date(),
            },
          ],
        });

      // Act
      const progress = await handler(eventFor({ stackId: undefined }));

      // Assess
      expect(progress.ready).toBe(true);
    });
  });

  describe('while deleting', () => {
    const deleting = { mode: 'delete' as const, tier: 'data' as const };

    it('reports a stack that is gone as deleted', async () => {
      // Prepare
      stackIsGone();

      // Act
      const progress = await handler(eventFor({ ...deleting, attempt: 2 }));

      // Assess
      expect(progress).toEqual({
        tier: 'data',
        stackName: 'haven-demo-network',
        stackId,
        status: 'DELETE_COMPLETE',
        ready: true,
        attempt: 2,
        waitSeconds: 0,
        outcome: 'deleted',
      });
    });

    it('reports a DELETE_COMPLETE stack as deleted', async () => {
      // Prepare
      stackIs('DELETE_COMPLETE');

      // Act
      const progress = await handler(eventFor(deleting));

      // Assess
      expect(progress).toMatchObject({
        ready: true,
        status: 'DELETE_COMPLETE',
      });
    });

    it('waits on the delete plan while the deletion runs', async () => {
      // Prepare
      stackIs('DELETE_IN_PROGRESS');

      // Act
      const progress = await handler(eventFor({ ...deleting, attempt: 1 }));

      // Assess
      expect(progress).toEqual({
        tier: 'data',
        stackName: 'haven-demo-network',
        stackId,
        status: 'DELETE_IN_PROGRESS',
        ready: false,
        attempt: 2,
        waitSeconds: 68,
      });
    });

    it('gives up after the hour the delete plan allows', async () => {
      // Prepare
      stackIs('DELETE_IN_PROGRESS');

      // Act
      const invocation = handler(eventFor({ ...deleting, attempt: 40 }));

      // Assess
      await expect(invocation).rejects.toThrow(
        new StackTimeoutError(
          'The data stack haven-demo-network is still DELETE_IN_PROGRESS ' +
            'after 60 minutes, the longest haven waits for it.'
        )
      );
    });

    it('lists the resources a failed deletion left', async () => {
      // Prepare
      stackIs('DELETE_FAILED');
      cfn.on(DescribeStackResourcesCommand, { StackName: stackId }).resolves({
        StackResources: [
          {
            LogicalResourceId: 'StaticBucket',
            PhysicalResourceId: 'demo-django-static-123456789012',
            ResourceType: 'AWS::S3::Bucket',
            ResourceStatus: 'DELETE_FAILED',
            ResourceStatusReason: 'The bucket you tried to delete is not empty',
            Timestamp: new Date(),
          },
          {
            LogicalResourceId: 'Database',
            PhysicalResourceId: 'demo-db',
            ResourceType: 'AWS::RDS::DBInstance',
            ResourceStatus: 'DELETE_COMPLETE',
            Timestamp: new Date(),
          },
          {
            LogicalResourceId: 'DbSecurityGroup',
            PhysicalResourceId: 'sg-9',
            ResourceType: 'AWS::EC2::SecurityGroup',
            ResourceStatus: 'CREATE_COMPLETE',
            Timestamp: new Date(),
          },
        ],
      });

      // Act
      const invocation = handler(eventFor(deleting));

      // Assess
      await expect(invocation).rejects.toThrow(
        new StackDeleteFailedError(
          'The data stack haven-demo-network could not be deleted. Left in ' +
            'the account: StaticBucket (AWS::S3::Bucket ' +
            'demo-django-static-123456789012): The bucket you tried to ' +
            'delete is not empty; DbSecurityGroup (AWS::EC2::SecurityGroup ' +
            'sg-9)'
        )
      );
      await expect(invocation).rejects.toBeInstanceOf(StackDeleteFailedError);
    });

    it('says so when a failed deletion reports no resource', async () => {
      // Prepare
      stackIs('DELETE_FAILED');
      cfn.on(DescribeStackResourcesCommand).resolves({ StackResources: [] });

      // Act
      const invocation = handler(eventFor(deleting));

      // Assess
      await expect(invocation).rejects.toThrow(
        'Left in the account: no resource reported'
      );
    });
  });
});
