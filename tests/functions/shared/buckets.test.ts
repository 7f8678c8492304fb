import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import {
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { emptyStackBuckets } from '../../../functions/shared/buckets';
import { BucketNotEmptiedError } from '../../../functions/shared/errors';

const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const bucket = 'demo-django-static-123456789012';

describe('emptyStackBuckets', () => {
  beforeEach(() => {
    cfn.reset();
    s3.reset();
    cfn.on(DescribeStackResourcesCommand).resolves({
      StackResources: [
        {
          LogicalResourceId: 'StaticBucket',
          ResourceType: 'AWS::S3::Bucket',
          PhysicalResourceId: bucket,
          ResourceStatus: 'CREATE_COMPLETE',
          Timestamp: new Date(),
        },
        {
          LogicalResourceId: 'Database',
          ResourceType: 'AWS::RDS::DBInstance',
          PhysicalResourceId: 'demo-postgres',
          ResourceStatus: 'CREATE_COMPLETE',
          Timestamp: new Date(),
        },
      ],
    });
    s3.on(ListObjectVersionsCommand).resolves({
      Versions: [{ Key: 'media/a.png', VersionId: 'v1' }],
      DeleteMarkers: [{ Key: 'media/b.png', VersionId: 'm1' }],
      IsTruncated: false,
    });
  });

  it('removes every version and delete marker of the stack buckets', async () => {
    s3.on(DeleteObjectsCommand).resolves({});

    const emptied = await emptyStackBuckets(
      new CloudFormationClient({}),
      new S3Client({}),
      'stack-id'
    );

    expect(emptied).toEqual([{ bucket, removed: 2 }]);
  });

  it('fails naming the objects S3 could not delete', async () => {
    s3.on(DeleteObjectsCommand).resolves({
      Errors: [{ Key: 'media/a.png', Code: 'AccessDenied', Message: 'no' }],
    });

    const emptying = emptyStackBuckets(
      new CloudFormationClient({}),
      new S3Client({}),
      'stack-id'
    );

    await expect(emptying).rejects.toThrow(BucketNotEmptiedError);
    await expect(emptying).rejects.toThrow('media/a.png (AccessDenied: no)');
  });

  it('treats a bucket that is already gone as empty', async () => {
    s3.on(ListObjectVersionsCommand).rejects(
      Object.assign(new Error('gone'), { name: 'NoSuchBucket' })
    );

    const emptied = await emptyStackBuckets(
      new CloudFormationClient({}),
      new S3Client({}),
      'stack-id'
    );

    expect(emptied).toEqual([{ bucket, removed: 0 }]);
  });
});
