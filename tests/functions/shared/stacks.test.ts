import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type ResourceStatus,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  findStack,
  firstFailure,
  outputsOf,
} from '../../../functions/shared/stacks';
import { awsError } from '../fixtures';

const cfn = mockClient(CloudFormationClient);
const client = new CloudFormationClient({ region: 'eu-west-1' });
const stackId =
  'arn:aws:cloudformation:eu-west-1:123456789012:stack/haven-demo-data/1';

function event(
  id: string,
  status: ResourceStatus,
  reason?: string,
  type = 'AWS::EC2::Subnet'
): StackEvent {
  return {
    StackId: stackId,
    StackName: 'haven-demo-data',
    EventId: `${id}-${status}`,
    Timestamp: new Date(),
    LogicalResourceId: id,
    ResourceType: type,
    ResourceStatus: status,
    ResourceStatusReason: reason,
  };
}

describe('stacks', () => {
  beforeEach(() => {
    cfn.reset();
  });

  describe('findStack', () => {
    it('describes the stack by the name given', async () => {
      // Prepare
      cfn.on(DescribeStacksCommand).resolves({
        Stacks: [
          {
            StackName: 'haven-demo-data',
            StackId: stackId,
            StackStatus: 'CREATE_COMPLETE',
            CreationTime: new Date(),
          },
        ],
      });

      // Act
      const stack = await findStack(client, 'haven-demo-data');

      // Assess
      expect(stack?.StackId).toBe(stackId);
      expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, {
        StackName: 'haven-demo-data',
      });
    });

    it('gives undefined for a stack that does not exist', async () => {
      // Prepare
      cfn
        .on(DescribeStacksCommand)
        .rejects(
          awsError('ValidationError', 'Stack with id haven-x does not exist')
        );

      // Act
      const stack = await findStack(client, 'haven-x');

      // Assess
      expect(stack).toBeUndefined();
    });

    it.each([
      ['another validation error', 'ValidationError', 'Rate exceeded'],
      ['a denied call', 'AccessDenied', 'Stack haven-x does not exist'],
    ])('rethrows %s', async (_case, name, message) => {
      // Prepare
      const error = awsError(name, message);
      cfn.on(DescribeStacksCommand).rejects(error);

      // Act
      const lookup = findStack(client, 'haven-x');

      // Assess
      await expect(lookup).rejects.toBe(error);
    });
  });

  describe('outputsOf', () => {
    it('maps output keys to values', () => {
      // Act
      const outputs = outputsOf({
        StackName: 's',
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: [
          { OutputKey: 'VpcId', OutputValue: 'vpc-1' },
          { OutputKey: 'PublicSubnetIds', OutputValue: 'subnet-1,subnet-2' },
        ],
      });

      // Assess
      expect(outputs).toEqual({
        VpcId: 'vpc-1',
        PublicSubnetIds: 'subnet-1,subnet-2',
      });
    });

    it('gives an empty map for a stack without outputs', () => {
      // Act
      const outputs = outputsOf({
        StackName: 's',
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(),
      });

      // Assess
      expect(outputs).toEqual({});
    });
  });

  describe('firstFailure', () => {
    const stack = {
      StackName: 'haven-demo-data',
      StackId: stackId,
      StackStatus: 'ROLLBACK_COMPLETE' as const,
      StackStatusReason: 'The following resource(s) failed to create: [Db].',
      CreationTime: new Date(),
    };

    it('names the oldest failed resource across pages', async () => {
      // Prepare: CloudFormation lists events newest first.
      cfn
        .on(DescribeStackEventsCommand, {
          StackName: stackId,
          NextToken: undefined,
        })
        .resolves({
          StackEvents: [
            event(
              'haven-demo-data',
              'ROLLBACK_IN_PROGRESS',
              'failed',
              'AWS::CloudFormation::Stack'
            ),
            event('Bucket', 'CREATE_FAILED', 'Bucket exists'),
          ],
          NextToken: 'page-2',
        })
        .on(DescribeStackEventsCommand, {
          StackName: stackId,
          NextToken: 'page-2',
        })
        .resolves({
          StackEvents: [
            event('Db', 'CREATE_FAILED', 'DB class not offered'),
            event('Db', 'CREATE_IN_PROGRESS'),
          ],
        });

      // Act
      const reason = await firstFailure(client, stack);

      // Assess
      expect(reason).toBe(
        'Db (AWS::EC2::Subnet) CREATE_FAILED: DB class not offered'
      );
      expect(cfn).toHaveReceivedCommandTimes(DescribeStackEventsCommand, 2);
    });

    it('skips resources whose creation was cancelled', async () => {
      // Prepare
      cfn.on(DescribeStackEventsCommand).resolves({
        StackEvents: [
          event('Secret', 'CREATE_FAILED', 'Access denied to kms:Decrypt'),
          event('Subnet', 'CREATE_FAILED', 'Resource creation cancelled'),
        ],
      });

      // Act
      const reason = await firstFailure(client, stack);

      // Assess
      expect(reason).toBe(
        'Secret (AWS::EC2::Subnet) CREATE_FAILED: Access denied to kms:Decrypt'
      );
    });

    it('names a cancelled resource when no other one failed', async () => {
      // Prepare
      cfn.on(DescribeStackEventsCommand).resolves({
        StackEvents: [
          event('Subnet', 'CREATE_FAILED', 'Resource creation cancelled'),
        ],
      });

      // Act
      const reason = await firstFailure(client, stack);

      // Assess
      expect(reason).toBe(
        'Subnet (AWS::EC2::Subnet) CREATE_FAILED: Resource creation cancelled'
      );
    });

    it("falls back to the stack's own reason", async () => {
      // Prepare
      cfn.on(DescribeStackEventsCommand).resolves({
        StackEvents: [
          event(
            'haven-demo-data',
            'CREATE_FAILED',
            'x',
            'AWS::CloudFormation::Stack'
          ),
          event('Db', 'CREATE_COMPLETE'),
        ],
      });

      // Act
      const reason = await firstFailure(client, stack);

      // Assess
      expect(reason).toBe('The following resource(s) failed to create: [Db].');
    });

    it('says when CloudFormation gave no reason at all', async () => {
      // Prepare
      cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });

      // Act
      const reason = await firstFailure(client, {
        ...stack,
        StackStatusReason: undefined,
      });

      // Assess
      expect(reason).toBe('CloudFormation gave no reason');
    });

    it('says when a failed resource gave no reason', async () => {
      // Prepare
      cfn.on(DescribeStackEventsCommand).resolves({
        StackEvents: [event('Db', 'CREATE_FAILED')],
      });

      // Act
      const reason = await firstFailure(client, stack);

      // Assess
      expect(reason).toBe(
        'Db (AWS::EC2::Subnet) CREATE_FAILED: no reason given'
      );
    });
  });
});
