import {
  CloudFormationClient,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import type { EventLog } from '../../local/workflow';

/** What an environment left in the emulator, read past the fault proxy. */
export interface Leftovers {
  stacks: string[];
  databases: string[];
  snapshots: string[];
  buckets: string[];
  topics: string[];
}

/** Reads what the emulator holds, straight from it, faults left out. */
export async function leftoversIn(endpoint: string): Promise<Leftovers> {
  const direct = { endpoint };
  const { StackSummaries = [] } = await new CloudFormationClient(direct).send(
    new ListStacksCommand({})
  );
  const rds = new RDSClient(direct);
  const { DBInstances = [] } = await rds.send(
    new DescribeDBInstancesCommand({})
  );
  const { DBSnapshots = [] } = await rds.send(
    new DescribeDBSnapshotsCommand({})
  );
  const { Buckets = [] } = await new S3Client({
    ...direct,
    forcePathStyle: true,
  }).send(new ListBucketsCommand({}));
  const { Topics = [] } = await new SNSClient(direct).send(
    new ListTopicsCommand({})
  );

  return {
    stacks: StackSummaries.filter((s) => s.StackStatus !== 'DELETE_COMPLETE')
      .map((s) => `${s.StackName} ${s.StackStatus}`)
      .sort(),
    databases: DBInstances.map((d) => d.DBInstanceIdentifier ?? '').sort(),
    snapshots: DBSnapshots.map((s) => s.DBSnapshotIdentifier ?? '').sort(),
    buckets: Buckets.map((b) => b.Name ?? '').sort(),
    topics: Topics.map((t) => (t.TopicArn ?? '').split(':').pop() ?? '').sort(),
  };
}

/** The names of the states entered, in order. */
export function statesEntered(events: EventLog[]): string[] {
  return events
    .filter((event) => event.type === 'StateEntered')
    .map((event) => (event as { state: { name: string } }).state.name);
}

/** The states the interpreter retried, once per retry. */
export function statesRetried(events: EventLog[]): string[] {
  return events
    .filter((event) => event.type === 'StateRetried')
    .map((event) => (event as { state: { name: string } }).state.name);
}

/** A request for an environment, with what a test changes. */
export function requestFor(name: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    notificationEmail: `team-${name}@example.com`,
    app: { repository: 'https://git.example.com/app-team/django-app.git' },
    ...extra,
  };
}
