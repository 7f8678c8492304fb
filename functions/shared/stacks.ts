import {
  type CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type Stack,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';

/** Statuses of a stack that is done, for good or ill. */
export const completeStatuses = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE']);

/** Statuses a stack of a failed attempt is left in. */
export const failedStatuses = new Set([
  'CREATE_FAILED',
  'ROLLBACK_IN_PROGRESS',
  'ROLLBACK_FAILED',
  'ROLLBACK_COMPLETE',
  'DELETE_FAILED',
]);

function isMissingStack(error: unknown): boolean {
  const { name, message } = error as Error;

  return name === 'ValidationError' && /does not exist/i.test(message);
}

/** Describes a stack by name or id; undefined when there is none. */
export async function findStack(
  cloudFormation: CloudFormationClient,
  stackName: string
): Promise<Stack | undefined> {
  try {
    const { Stacks } = await cloudFormation.send(
      new DescribeStacksCommand({ StackName: stackName })
    );

    return Stacks?.[0];
  } catch (error) {
    if (isMissingStack(error)) return undefined;
    throw error;
  }
}

/** A stack's outputs as a plain map from output key to value. */
export function outputsOf(stack: Stack): Record<string, string> {
  return Object.fromEntries(
    (stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])
  );
}

function describeEvent(event: StackEvent): string {
  const what = `${event.LogicalResourceId} (${event.ResourceType})`;
  const reason = event.ResourceStatusReason ?? 'no reason given';

  return `${what} ${event.ResourceStatus}: ${reason}`;
}

/**
 * The first resource that failed, oldest first, as one sentence. Later
 * failures are usually resources cancelled because of the first one.
 */
export async function firstFailure(
  cloudFormation: CloudFormationClient,
  stack: Stack
): Promise<string> {
  const events: StackEvent[] = [];
  let NextToken: string | undefined;
  do {
    const page = await cloudFormation.send(
      new DescribeStackEventsCommand({
        StackName: stack.StackId ?? stack.StackName,
        NextToken,
      })
    );
    events.push(...(page.StackEvents ?? []));
    NextToken = page.NextToken;
  } while (NextToken);

  const failed = events
    .reverse()
    .filter((e) => e.ResourceStatus?.endsWith('_FAILED'))
    .filter((e) => e.ResourceType !== 'AWS::CloudFormation::Stack');
  const first = failed.find(
    (e) => !/cancelled/i.test(e.ResourceStatusReason ?? '')
  );
  const chosen = first ?? failed[0];
  if (chosen) return describeEvent(chosen);

  return stack.StackStatusReason ?? 'CloudFormation gave no reason';
}
