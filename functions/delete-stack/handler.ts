import {
  CloudFormationClient,
  DeleteStackCommand,
} from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { emptyStackBuckets } from '../shared/buckets';
import { sdkSettings, traced } from '../shared/clients';
import { paced, turnWaits } from '../shared/cloudformation-pace';
import { StackBusyError } from '../shared/errors';
import { type TaskEvent, taskHandler } from '../shared/handler';
import { logger } from '../shared/logger';
import { intervalBefore, pollPlans } from '../shared/polling';
import { findStack } from '../shared/stacks';
import type { Tier } from '../shared/tiers';
import type { StackProgress } from '../shared/workflow';

const cloudFormation = paced(
  traced(new CloudFormationClient(sdkSettings)),
  turnWaits.workflow
);
const s3 = traced(new S3Client(sdkSettings));

export interface DeleteStackEvent extends TaskEvent {
  tier: Tier;
  stackName: string;
  /** Empty the stack's buckets first, so CloudFormation can delete them. */
  emptyBuckets?: boolean;
  /**
   * Logical ids CloudFormation leaves in place when it deletes the stack
   * again after DELETE_FAILED, such as a bucket to keep. CloudFormation
   * accepts them only for a stack in DELETE_FAILED; otherwise unused.
   */
  retainResources?: string[];
}

function progress(event: DeleteStackEvent, stackId?: string, ready = false) {
  const result: StackProgress = {
    tier: event.tier,
    stackName: event.stackName,
    stackId,
    status: ready ? 'DELETE_COMPLETE' : 'DELETE_IN_PROGRESS',
    ready,
    attempt: 0,
    waitSeconds: ready ? 0 : intervalBefore(pollPlans.delete, 0),
    outcome: ready ? 'never created' : 'deleted',
  };

  return result;
}

/**
 * Starts deleting one stack of the environment; a stack that was never
 * created counts as deleted. Buckets are emptied first when asked, since
 * CloudFormation cannot delete a bucket that holds objects.
 */
export const handler = taskHandler(
  'delete a stack',
  async (event: DeleteStackEvent): Promise<StackProgress> => {
    const stack = await findStack(cloudFormation, event.stackName);
    const status = stack?.StackStatus ?? 'DELETE_COMPLETE';
    if (!stack?.StackId || status === 'DELETE_COMPLETE') {
      logger.info('stack was never created', { stackName: event.stackName });

      return progress(event, stack?.StackId, true);
    }
    if (status === 'DELETE_IN_PROGRESS') return progress(event, stack.StackId);
    if (status.endsWith('_IN_PROGRESS')) {
      throw new StackBusyError(
        `The stack ${event.stackName} is ${status}; haven deletes it once ` +
          'that operation ends.'
      );
    }

    if (event.emptyBuckets) {
      const emptied = await emptyStackBuckets(
        cloudFormation,
        s3,
        stack.StackId
      );
      logger.info('buckets emptied', { emptied });
    }
    await cloudFormation.send(
      new DeleteStackCommand({
        StackName: stack.StackId,
        RoleARN: process.env.CLOUDFORMATION_ROLE_ARN || undefined,
        RetainResources:
          status === 'DELETE_FAILED' && event.retainResources?.length
            ? event.retainResources
            : undefined,
      })
    );
    logger.info('stack deletion started', { stackName: event.stackName });

    return progress(event, stack.StackId);
  }
);
