import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { sdkSettings, traced } from '../shared/clients';
import { paced, turnWaits } from '../shared/cloudformation-pace';
import { HavenError } from '../shared/errors';
import { type TaskEvent, taskHandler } from '../shared/handler';
import { logger } from '../shared/logger';
import { findStack } from '../shared/stacks';
import type { WorkflowState } from '../shared/workflow';
import {
  type Email,
  failureEmail,
  type KeptStack,
  successEmail,
} from './email';
import { type TeardownReport, teardownEmail } from './teardown-email';

const sns = traced(new SNSClient(sdkSettings));
const cloudFormation = paced(
  traced(new CloudFormationClient(sdkSettings)),
  turnWaits.workflow
);

export interface NotifyEvent extends TaskEvent {
  outcome: 'succeeded' | 'failed';
  state: WorkflowState;
}

/** The teardown workflow's email: what was deleted and what is left. */
export interface TeardownNotifyEvent extends TaskEvent {
  outcome: 'teardown';
  teardown: TeardownReport;
}

export interface NotifyResult {
  messageId: string;
  subject: string;
}

/** There is no topic to publish to: the requester was never subscribed. */
export class NotificationError extends HavenError {
  constructor(message: string) {
    super(message);
    this.name = 'NotificationError';
  }
}

/**
 * The stacks a failed attempt kept. The email must go out even when a stack
 * cannot be described, so such a stack is listed with what went wrong.
 */
async function keptStacks(state: WorkflowState): Promise<KeptStack[]> {
  const kept: KeptStack[] = [];
  for (const stackName of Object.values(state.stacks)) {
    try {
      const stack = await findStack(cloudFormation, stackName);
      if (stack && stack.StackStatus !== 'DELETE_COMPLETE') {
        kept.push({ stackName, status: stack.StackStatus ?? 'UNKNOWN' });
      }
    } catch (error) {
      logger.warn('stack could not be described', { stackName, error });
      kept.push({
        stackName,
        status: `status unknown: ${(error as Error).name}`,
      });
    }
  }

  return kept;
}

async function compose(event: NotifyEvent): Promise<Email> {
  const now = new Date();
  if (event.outcome === 'succeeded') return successEmail(event.state, now);

  const kept = event.state.request.rollbackOnFailure
    ? undefined
    : await keptStacks(event.state);

  return failureEmail(event.state, now, kept);
}

async function publishTeardown(
  event: TeardownNotifyEvent
): Promise<NotifyResult> {
  const email = teardownEmail(event.teardown, new Date());
  const { MessageId = '' } = await sns.send(
    new PublishCommand({
      TopicArn: event.teardown.topicArn,
      Subject: email.subject,
      Message: email.body,
    })
  );
  logger.info('email published', { outcome: 'teardown', messageId: MessageId });

  return { messageId: MessageId, subject: email.subject };
}

/**
 * Emails the requester the outcome of the provisioning through the
 * environment's own topic: the outputs on success; on failure the step,
 * the reason and what was left in the account.
 */
export const handler = taskHandler(
  'email the requester',
  async (event: NotifyEvent | TeardownNotifyEvent): Promise<NotifyResult> => {
    if (event.outcome === 'teardown') return publishTeardown(event);
    const topicArn = event.state.notifications?.topicArn;
    if (!topicArn) {
      throw new NotificationError(
        `No email can be sent for ${event.state.request.name}: the ` +
          'requester was never subscribed to its topic.'
      );
    }

    const email = await compose(event);
    const { MessageId = '' } = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: email.subject,
        Message: email.body,
      })
    );
    logger.info('email published', {
      outcome: event.outcome,
      messageId: MessageId,
    });

    return { messageId: MessageId, subject: email.subject };
  }
);
