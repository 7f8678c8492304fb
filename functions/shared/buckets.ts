import {
  type CloudFormationClient,
  DescribeStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import {
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { BucketNotEmptiedError } from './errors';

/** What emptying one bucket of a stack removed. */
export interface EmptiedBucket {
  bucket: string;
  removed: number;
}

async function removeEveryVersion(s3: S3Client, bucket: string) {
  let removed = 0;
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        KeyMarker,
        VersionIdMarker,
      })
    );
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
      .filter((o) => o.Key)
      .map((o) => ({ Key: o.Key as string, VersionId: o.VersionId }));

    if (objects.length > 0) {
      // Quiet mode answers only with the objects it could not delete.
      const { Errors = [] } = await s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: objects, Quiet: true },
        })
      );
      if (Errors.length > 0) {
        const first = Errors.slice(0, 3)
          .map((e) => `${e.Key} (${e.Code}: ${e.Message})`)
          .join(', ');
        throw new BucketNotEmptiedError(
          `The bucket ${bucket} could not be emptied: ${Errors.length} ` +
            `object(s) were not deleted, among them ${first}.`
        );
      }
      removed += objects.length;
    }

    KeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    VersionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (KeyMarker);

  return removed;
}

async function emptyBucket(s3: S3Client, bucket: string): Promise<number> {
  try {
    return await removeEveryVersion(s3, bucket);
  } catch (error) {
    if ((error as Error).name === 'NoSuchBucket') return 0;
    throw error;
  }
}

/**
 * Empties every bucket of a stack, every version included, so that
 * CloudFormation can delete them with the stack.
 */
export async function emptyStackBuckets(
  cloudFormation: CloudFormationClient,
  s3: S3Client,
  stackId: string
): Promise<EmptiedBucket[]> {
  const { StackResources = [] } = await cloudFormation.send(
    new DescribeStackResourcesCommand({ StackName: stackId })
  );
  const buckets = StackResources.filter(
    (r) => r.ResourceType === 'AWS::S3::Bucket' && r.PhysicalResourceId
  ).map((r) => r.PhysicalResourceId as string);

  const emptied: EmptiedBucket[] = [];
  for (const bucket of buckets) {
    emptied.push({ bucket, removed: await emptyBucket(s3, bucket) });
  }

  return emptied;
}
