import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../../functions/delete-stack/handler';
import { captureLogs } from '../fixtures';

const cfn = mockClient(CloudFormationClient);
mockClient(S3Client);
const stackId =
  'arn:aws:cloudformation:us-east-1:123456789012:stack/haven-demo-data/5';

function stackIs(status: StackStatus) {
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'haven-demo-data',
        StackId: stackId,
        StackStatus: status,
        CreationTime: new Date(),
      },
    ],
  });
}

beforeEach(() => {
  cfn.reset();
  captureLogs();
  cfn.on(DescribeStackResourcesCommand).resolves({ StackResources: [] });
  cfn.on(DeleteStackCommand).resolves({});
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('delete-stack with resources to retain', () => {
  const event = {
    tier: 'data' as const,
    stackName: 'haven-demo-data',
    emptyBuckets: false,
    retainResources: ['StaticBucket'],
  };

  it('keeps them when it deletes a stack in DELETE_FAILED again', async () => {
    stackIs('DELETE_FAILED');

    await handler(event);

    expect(cfn).toHaveReceivedCommandWith(DeleteStackCommand, {
      StackName: stackId,
      RetainResources: ['StaticBucket'],
    });
  });

  it('leaves them out of a first deletion, which CloudFormation requires', async () => {
    stackIs('CREATE_COMPLETE');

    await handler(event);

    const input = cfn.commandCalls(DeleteStackCommand)[0]?.args[0].input;
    expect(input?.RetainResources).toBeUndefined();
  });
});
