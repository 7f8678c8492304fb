import type { EnvironmentRecord } from '../shared/records';
import { stackNameOf, type Tier } from '../shared/tiers';
import { topicNameOf } from '../subscribe-requester/handler';

/** One stack the teardown deletes, in the order it deletes them. */
export interface TeardownItem {
  tier: Tier;
  stackName: string;
  /** Empty the stack's buckets first, so CloudFormation can delete them. */
  emptyBuckets: boolean;
  /** Resources to keep when DeleteStack is tried again after DELETE_FAILED. */
  retainOnRetry: string[];
}

/** What the teardown state machine starts from. */
export interface TeardownInput {
  environment: string;
  notificationEmail: string;
  owner: string;
  retainBucket: boolean;
  /** The media bucket's name, as the data tier names it. */
  bucket: string;
  topicArn: string;
  teardownOrder: TeardownItem[];
  /** What the Helm releases' removal needs, for an environment on EKS. */
  eks?: {
    clusterName: string;
    namespace: string;
    monitoring: boolean;
    dbInstanceIdentifier: string;
  };
}

/**
 * The teardown of an environment: its own EKS cluster first, if any, then
 * compute, then data, then network,
 * so no stack goes while a later one still uses it. To keep the media
 * bucket, the data stack is deleted without emptying it: CloudFormation
 * then fails on the bucket (DELETE_FAILED) and the retry keeps it with
 * RetainResources. An empty bucket holds nothing to keep and goes.
 */
export function teardownInputOf(
  record: EnvironmentRecord,
  retainBucket: boolean,
  machineArn: string
): TeardownInput {
  const [, partition, , region, account] = machineArn.split(':');
  const name = record.name;
  const item = (
    tier: Tier,
    emptyBuckets: boolean,
    retainOnRetry: string[] = []
  ): TeardownItem => ({
    tier,
    stackName: stackNameOf(name, tier),
    emptyBuckets,
    retainOnRetry,
  });
  const eks = record.request.eks;
  // A cluster haven created goes first: it uses the network and admits
  // itself to the database's security group.
  const cluster = eks?.mode === 'create' ? [item('eks', false)] : [];

  return {
    environment: name,
    notificationEmail: record.request.notificationEmail,
    owner: record.owner,
    retainBucket,
    bucket: `${name}-django-static-${account}`,
    topicArn: `arn:${partition}:sns:${region}:${account}:${topicNameOf(name)}`,
    teardownOrder: [
      ...cluster,
      item('compute', false),
      retainBucket ? item('data', false, ['StaticBucket']) : item('data', true),
      item('network', false),
    ],
    ...(eks === undefined
      ? {}
      : {
          eks: {
            clusterName: eks.clusterName,
            namespace: eks.namespace,
            monitoring: eks.monitoring,
            dbInstanceIdentifier: `${name}-postgres`,
          },
        }),
  };
}
