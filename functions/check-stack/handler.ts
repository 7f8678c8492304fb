import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { sdkSettings, traced } from '../shared/clients';
import { paced, turnWaits } from '../shared/cloudformation-pace';
import {
  StackDeleteFailedError,
  StackFailedError,
  StackTimeoutError,
} from '../shared/errors';
import { type TaskEvent, taskHandler } from '../shared/handler';
import { logger } from '../shared/logger';
import {
  boundMinutes,
  isPastBound,
  nextPoll,
  pollPlans,
} from '../shared/polling';
import {
  completeStatuses,
  failedStatuses,
  findStack,
  firstFailure,
  outputsOf,
} from '../shared/stacks';
import type { Tier } from '../shared/tiers';
import type { StackProgress } from '../shared/workflow';

const cloudFormation = paced(
  traced(new CloudFormationClient(sdkSettings)),
  turnWaits.workflow
);

export interface CheckStackEvent extends TaskEvent {
  tier: Tier;
  stackName: string;
  stackId?: string;
  attempt: number;
  /** `create` waits for CREATE_COMPLETE, `delete` for the stack to go. */
  mode?: 'create' | 'delete';
}

async function resourcesLeft(stack: Stack): Promise<string> {
  const { StackResources = [] } = await cloudFormation.send(
    new DescribeStackResourcesCommand({ StackName: stack.StackId })
  );
  const left = StackResources.filter(
    (r) => r.ResourceStatus !== 'DELETE_COMPLETE'
  ).map(
    (r) =>
      `${r.LogicalResourceId} (${r.ResourceType} ${r.PhysicalResourceId})` +
      `${r.ResourceStatusReason ? `: ${r.ResourceStatusReason}` : ''}`
  );

  return left.length > 0 ? left.join('; ') : 'no resource reported';
}

function notYet(event: CheckStackEvent, stack: Stack): StackProgress {
  const waitName = event.mode === 'delete' ? 'delete' : event.tier;
  const plan = pollPlans[waitName];
  if (isPastBound(plan, event.attempt + 1)) {
    throw new StackTimeoutError(
      `The ${event.tier} stack ${event.stackName} is still ` +
        `${stack.StackStatus} after ${boundMinutes(plan)} minutes, the ` +
        'longest haven waits for it.'
    );
  }

  return {
    tier: event.tier,
    stackName: event.stackName,
    stackId: stack.StackId,
    status: stack.StackStatus ?? 'UNKNOWN',
    ...nextPoll(plan, event.attempt),
  };
}

async function checkCreation(event: CheckStackEvent): Promise<StackProgress> {
  const stack = await findStack(
    cloudFormation,
    event.stackId ?? event.stackName
  );
  if (!stack) {
    throw new StackFailedError(
      `The ${event.tier} stack ${event.stackName} disappeared while it was ` +
        'being created: someone or something deleted it.'
    );
  }
  const status = stack.StackStatus ?? 'UNKNOWN';

  if (completeStatuses.has(status)) {
    logger.info('stack ready', { stackName: event.stackName, status });

    return {
      tier: event.tier,
      stackName: event.stackName,
      stackId: stack.StackId,
      status,
      ready: true,
      attempt: event.attempt,
      waitSeconds: 0,
      outputs: outputsOf(stack),
    };
  }
  if (status.startsWith('DELETE_')) {
    throw new StackFailedError(
      `The ${event.tier} stack ${event.stackName} is ${status} while it was ` +
        'being created: someone or something deleted it.'
    );
  }
  if (failedStatuses.has(status)) {
    const reason = await firstFailure(cloudFormation, stack);
    throw new StackFailedError(
      `The ${event.tier} stack ${event.stackName} failed (${status}). ` +
        `First failed resource: ${reason}`
    );
  }

  return notYet(event, stack);
}

async function checkDeletion(event: CheckStackEvent): Promise<StackProgress> {
  const stack = await findStack(
    cloudFormation,
    event.stackId ?? event.stackName
  );
  const status = stack?.StackStatus ?? 'DELETE_COMPLETE';

  if (!stack || status === 'DELETE_COMPLETE') {
    logger.info('stack deleted', { stackName: event.stackName });

    return {
      tier: event.tier,
      stackName: event.stackName,
      stackId: stack?.StackId ?? event.stackId,
      status: 'DELETE_COMPLETE',
      ready: true,
      attempt: event.attempt,
      waitSeconds: 0,
      outcome: 'deleted',
    };
  }
  if (status === 'DELETE_FAILED') {
    throw new StackDeleteFailedError(
      `The ${event.tier} stack ${event.stackName} could not be deleted. ` +
        `Left in the account: ${await resourcesLeft(stack)}`
    );
  }

  return notYet(event, stack);
}

/**
 * One look at a stack the workflow waits for. Returns `ready` with the
 * stack's outputs once it is complete (or gone, when deleting); otherwise
 * the next wait. Fails with a typed error naming the first failed resource
 * and its reason, or the bound that passed.
 */
export const handler = taskHandler(
  'check a stack',
  async (event: CheckStackEvent): Promise<StackProgress> =>
    event.mode === 'delete' ? checkDeletion(event) : checkCreation(event)
);
