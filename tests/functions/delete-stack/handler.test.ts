import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import {
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  NoSuchBucket,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  type DeleteStackEvent,
  handler,
} from '../../../functions/delete-stack/handler';
import { StackBusyError } from '../../../functions/shared/errors';
import { awsError, captureLogs } from '../fixtures';

const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const roleArn = 'arn:aws:iam::123456789012:role/haven-cloudformation';
const stackId =
  'arn:aws:cloudformation:eu-west-1:123456789012:stack/haven-demo-data/5';
const bucket = 'demo-django-static-123456789012';

function eventFor(overrides: Partial<DeleteStackEvent> = {}): DeleteStackEvent {
  return {
    tier: 'data',
    stackName: 'haven-demo-data',
    emptyBuckets: true,
    correlation: { environment: 'demo', executionId: 'exec-1' },
    ...overrides,
  };
}

function stackIs(status: StackStatus) {
  cfn.on(DescribeStacksCommand, { StackName: 'haven-demo-data' }).resolves({
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

function stackHasBuckets(...names: string[]) {
  cfn.on(DescribeStackResourcesCommand, { StackName: stackId }).resolves({
    StackResources: [
      ...names.map((name) => ({
        LogicalResourceId: `Bucket${name.length}`,
        PhysicalResourceId: name,
        ResourceType: 'AWS::S3::Bucket',
        ResourceStatus: 'CREATE_COMPLETE' as const,
        Timestamp: new Date(),
      })),
      {
        LogicalResourceId: 'Database',
        PhysicalResourceId: 'demo-db',
        ResourceType: 'AWS::RDS::DBInstance',
        ResourceStatus: 'CREATE_COMPLETE',
        Timestamp: new Date(),
      },
    ],
  });
}

/** Keys and versions of every DeleteObjects call, in call order. */
function deletedObjects() {
  return s3
    .commandCalls(DeleteObjectsCommand)
    .map((call) => call.args[0].input)
    .map((input) => ({
      bucket: input.Bucket,
      objects: input.Delete?.Objects,
      quiet: input.Delete?.Quiet,
    }));
}

describe('delete-stack handler', () => {
  beforeEach(() => {
    cfn.reset();
    s3.reset();
    captureLogs();
    jest.replaceProperty(process, 'env', { CLOUDFORMATION_ROLE_ARN: roleArn });
    cfn.on(DeleteStackCommand).resolves({});
    cfn.on(DescribeStackResourcesCommand).resolves({ StackResources: [] });
    s3.on(ListObjectVersionsCommand).resolves({});
    s3.on(DeleteObjectsCommand).resolves({});
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('reports a stack that was never created as gone, never created', async () => {
    // Prepare
    cfn
      .on(DescribeStacksCommand)
      .rejects(
        awsError(
          'ValidationError',
          'Stack with id haven-demo-data does not exist'
        )
      );

    // Act
    const progress = await handler(eventFor());

    // Assess
    expect(progress).toEqual({
      tier: 'data',
      stackName: 'haven-demo-data',
      stackId: undefined,
      status: 'DELETE_COMPLETE',
      ready: true,
      attempt: 0,
      waitSeconds: 0,
      outcome: 'never created',
    });
    expect(cfn).not.toHaveReceivedCommand(DeleteStackCommand);
  });

  it('starts deleting the stack by its id with the service role', async () => {
    // Prepare
    stackIs('CREATE_COMPLETE');

    // Act
    const progress = await handler(eventFor());

    // Assess
    expect(cfn.commandCalls(DeleteStackCommand)[0].args[0].input).toEqual({
      StackName: stackId,
      RoleARN: roleArn,
    });
    expect(progress).toEqual({
      tier: 'data',
      stackName: 'haven-demo-data',
      stackId,
      status: 'DELETE_IN_PROGRESS',
      ready: false,
      attempt: 0,
      waitSeconds: 30,
      outcome: 'deleted',
    });
  });

  it.each<StackStatus>(['ROLLBACK_COMPLETE', 'DELETE_FAILED', 'CREATE_FAILED'])(
    'deletes a %s stack',
    async (status) => {
      // Prepare
      stackIs(status);

      // Act
      await handler(eventFor());

      // Assess
      expect(cfn).toHaveReceivedCommandTimes(DeleteStackCommand, 1);
    }
  );

  it('waits for a deletion already running without starting another', async () => {
    // Prepare
    stackIs('DELETE_IN_PROGRESS');

    // Act
    const progress = await handler(eventFor());

    // Assess
    expect(progress).toMatchObject({
      stackId,
      status: 'DELETE_IN_PROGRESS',
      ready: false,
      waitSeconds: 30,
    });
    expect(cfn).not.toHaveReceivedCommand(DeleteStackCommand);
    expect(s3).not.toHaveReceivedCommand(ListObjectVersionsCommand);
  });

  it.each<StackStatus>([
    'CREATE_IN_PROGRESS',
    'ROLLBACK_IN_PROGRESS',
    'UPDATE_IN_PROGRESS',
  ])('waits as busy while the stack is %s', async (status) => {
    // Prepare
    stackIs(status);

    // Act
    const invocation = handler(eventFor());

    // Assess
    await expect(invocation).rejects.toThrow(
      new StackBusyError(
        `The stack haven-demo-data is ${status}; haven deletes it once ` +
          'that operation ends.'
      )
    );
    await expect(invocation).rejects.toBeInstanceOf(StackBusyError);
    expect(cfn).not.toHaveReceivedCommand(DeleteStackCommand);
  });

  describe('with emptyBuckets', () => {
    it('removes every version and delete marker, page by page', async () => {
      // Prepare
      stackIs('ROLLBACK_COMPLETE');
      stackHasBuckets(bucket);
      s3.on(ListObjectVersionsCommand, {
        Bucket: bucket,
        KeyMarker: undefined,
        VersionIdMarker: undefined,
      })
        .resolves({
          Versions: [
            { Key: 'media/a.png', VersionId: 'v1' },
            { Key: 'media/a.png', VersionId: 'v2' },
          ],
          DeleteMarkers: [{ Key: 'media/b.png', VersionId: 'm1' }],
          IsTruncated: true,
          NextKeyMarker: 'media/b.png',
          NextVersionIdMarker: 'm1',
        })
        .on(ListObjectVersionsCommand, {
          Bucket: bucket,
          KeyMarker: 'media/b.png',
          VersionIdMarker: 'm1',
        })
        .resolves({
          Versions: [{ Key: 'media/c.png', VersionId: 'null' }],
          IsTruncated: false,
        });

      // Act
      await handler(eventFor());

      // Assess
      expect(deletedObjects()).toEqual([
        {
          bucket,
          objects: [
            { Key: 'media/a.png', VersionId: 'v1' },
            { Key: 'media/a.png', VersionId: 'v2' },
            { Key: 'media/b.png', VersionId: 'm1' },
          ],
          quiet: true,
        },
        {
          bucket,
          objects: [{ Key: 'media/c.png', VersionId: 'null' }],
          quiet: true,
        },
      ]);
    });

    it('empties the buckets before it deletes the stack', async () => {
      // Prepare
      stackIs('CREATE_COMPLETE');
      stackHasBuckets(bucket);
      s3.on(ListObjectVersionsCommand).resolves({
        Versions: [{ Key: 'a', VersionId: 'v1' }],
      });

      // Act
      await handler(eventFor());

      // Assess
      const emptied = s3.commandCalls(DeleteObjectsCommand)[0];
      const deleted = cfn.commandCalls(DeleteStackCommand)[0];
      expect(emptied.calledBefore(deleted)).toBe(true);
    });

    it('empties only the S3 buckets of the stack', async () => {
      // Prepare
      stackIs('CREATE_COMPLETE');
      stackHasBuckets(bucket, 'demo-logs');

      // Act
      await handler(eventFor());

      // Assess
      const listed = s3
        .commandCalls(ListObjectVersionsCommand)
        .map((call) => call.args[0].input.Bucket);
      expect(listed).toEqual([bucket, 'demo-logs']);
    });

    it('sends no deletion for an empty bucket', async () => {
      // Prepare
      stackIs('CREATE_COMPLETE');
      stackHasBuckets(bucket);

      // Act
      await handler(eventFor());

      // Assess
      expect(s3).toHaveReceivedCommandTimes(ListObjectVersionsCommand, 1);
      expect(s3).not.toHaveReceivedCommand(DeleteObjectsCommand);
    });

    it('passes over a bucket that is already gone', async () => {
      // Prepare
      stackIs('DELETE_FAILED');
      stackHasBuckets('gone-bucket', bucket);
      s3.on(ListObjectVersionsCommand, { Bucket: 'gone-bucket' }).rejects(
        new NoSuchBucket({
          message: 'The bucket does not exist',
          $metadata: {},
        })
      );
      s3.on(ListObjectVersionsCommand, { Bucket: bucket }).resolves({
        Versions: [{ Key: 'a', VersionId: 'v1' }],
      });

      // Act
      const progress = await handler(eventFor());

      // Assess
      expect(deletedObjects().map((d) => d.bucket)).toEqual([bucket]);
      expect(cfn).toHaveReceivedCommandTimes(DeleteStackCommand, 1);
      expect(progress.status).toBe('DELETE_IN_PROGRESS');
    });

    it('fails, leaving the stack, when a bucket cannot be read', async () => {
      // Prepare
      stackIs('CREATE_COMPLETE');
      stackHasBuckets(bucket);
      const error = awsError('AccessDenied', 'Access Denied');
      s3.on(ListObjectVersionsCommand).rejects(error);

      // Act
      const invocation = handler(eventFor());

      // Assess
      await expect(invocation).rejects.toBe(error);
      expect(cfn).not.toHaveReceivedCommand(DeleteStackCommand);
    });
  });

  it('leaves the buckets alone without emptyBuckets', async () => {
    // Prepare
    stackIs('CREATE_COMPLETE');
    stackHasBuckets(bucket);

    // Act
    await handler(eventFor({ emptyBuckets: false }));

    // Assess
    expect(s3).not.toHaveReceivedCommand(ListObjectVersionsCommand);
    expect(cfn).not.toHaveReceivedCommand(DescribeStackResourcesCommand);
    expect(cfn).toHaveReceivedCommandTimes(DeleteStackCommand, 1);
  });
});
