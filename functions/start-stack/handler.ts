import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  type Parameter,
} from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { emptyStackBuckets } from '../shared/buckets';
import { sdkSettings, traced } from '../shared/clients';
import { paced, turnWaits } from '../shared/cloudformation-pace';
import { StackBusyError, StackReplacementPendingError } from '../shared/errors';
import { type TaskEvent, taskHandler } from '../shared/handler';
import { logger } from '../shared/logger';
import { firstWaitOf, pollPlans } from '../shared/polling';
import type { EnvironmentRequest } from '../shared/request';
import { completeStatuses, failedStatuses, findStack } from '../shared/stacks';
import { templateBodyOf } from '../shared/templates';
import { requestParameters, stackTags, type Tier } from '../shared/tiers';
import type { StackProgress } from '../shared/workflow';

const cloudFormation = paced(
  traced(new CloudFormationClient(sdkSettings)),
  turnWaits.workflow
);
const s3 = traced(new S3Client(sdkSettings));

export interface StartStackEvent extends TaskEvent {
  tier: Tier;
  stackName: string;
  request: EnvironmentRequest;
  /** Outputs of the earlier tiers, as this tier's template names them. */
  parameters?: Record<string, string>;
}

function progress(
  event: StartStackEvent,
  stackId: string | undefined,
  status: string
): StackProgress {
  return {
    tier: event.tier,
    stackName: event.stackName,
    stackId,
    status,
    ready: false,
    attempt: 0,
    waitSeconds: firstWaitOf(pollPlans[event.tier], event.stackName),
  };
}

async function createStack(event: StartStackEvent): Promise<StackProgress> {
  const values = {
    ...requestParameters(event.tier, event.request),
    ...event.parameters,
  };
  const parameters: Parameter[] = Object.entries(values).map(
    ([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })
  );

  const { StackId } = await cloudFormation.send(
    new CreateStackCommand({
      StackName: event.stackName,
      TemplateBody: await templateBodyOf(event.tier),
      Parameters: parameters,
      Tags: stackTags(event.request),
      RoleARN: process.env.CLOUDFORMATION_ROLE_ARN || undefined,
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      // Kept stacks let the team inspect a failure; otherwise CloudFormation
      // rolls back and the failure path deletes what is left.
      OnFailure: event.request.rollbackOnFailure ? 'ROLLBACK' : 'DO_NOTHING',
    })
  );
  logger.info('stack creation started', {
    stackName: event.stackName,
    stackId: StackId,
  });

  return progress(event, StackId, 'CREATE_IN_PROGRESS');
}

/**
 * Starts creating one tier's stack. A stack left behind by an earlier
 * failed attempt is deleted first: the Task then fails with
 * StackReplacementPendingError, which the state machine retries until the
 * old stack is gone. A stack already complete, or being created by this
 * same execution after a retry, is taken as it is.
 */
export const handler = taskHandler(
  'start a stack',
  async (event: StartStackEvent): Promise<StackProgress> => {
    const existing = await findStack(cloudFormation, event.stackName);
    const status = existing?.StackStatus ?? 'NONE';

    if (!existing || status === 'DELETE_COMPLETE') {
      return createStack(event);
    }
    if (completeStatuses.has(status) || status === 'CREATE_IN_PROGRESS') {
      logger.info('stack already there', {
        stackName: event.stackName,
        status,
      });

      return progress(event, existing.StackId, status);
    }
    if (failedStatuses.has(status)) {
      // A bucket with objects is the usual reason a deletion failed; the
      // objects belong to the failed attempt, like the rest of the stack.
      if (existing.StackId && status === 'DELETE_FAILED') {
        await emptyStackBuckets(cloudFormation, s3, existing.StackId);
      }
      await cloudFormation.send(
        new DeleteStackCommand({
          StackName: existing.StackId,
          RoleARN: process.env.CLOUDFORMATION_ROLE_ARN || undefined,
        })
      );
    }
    if (failedStatuses.has(status) || status === 'DELETE_IN_PROGRESS') {
      throw new StackReplacementPendingError(
        `The stack ${event.stackName} is left over from an earlier attempt ` +
          `(${status}); haven is deleting it and will then create it again.`
      );
    }

    throw new StackBusyError(
      `The stack ${event.stackName} is ${status}, which haven does not ` +
        'change. Wait for that operation to end, then request again.'
    );
  }
);
