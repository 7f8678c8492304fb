import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { visibleRecord } from '../shared/access';
import { apiHandler, pathName } from '../shared/api-handler';
import { sdkSettings, traced } from '../shared/clients';
import { paced, turnWaits } from '../shared/cloudformation-pace';
import { logger } from '../shared/logger';
import type { EnvironmentRecord } from '../shared/records';
import { findStack } from '../shared/stacks';
import { stackNameOf, tiers } from '../shared/tiers';
import { consoleUrlOf } from '../shared/workflow';

const cloudFormation = paced(
  traced(new CloudFormationClient(sdkSettings)),
  turnWaits.api
);

/** One stack of the environment as CloudFormation reports it now. */
export interface StackStatus {
  tier: string;
  stackName: string;
  status: string;
}

/**
 * Each stack's status, read live: the record says where the workflow is,
 * CloudFormation what each stack is. A stack that cannot be read is
 * reported as such rather than failing the whole answer.
 */
async function stackStatuses(name: string): Promise<StackStatus[]> {
  return Promise.all(
    tiers.map(async (tier) => {
      const stackName = stackNameOf(name, tier);
      try {
        const stack = await findStack(cloudFormation, stackName);

        return { tier, stackName, status: stack?.StackStatus ?? 'NONE' };
      } catch (error) {
        logger.warn('stack could not be described', { stackName, error });

        return { tier, stackName, status: 'UNKNOWN' };
      }
    })
  );
}

/** The status document of an environment, as GET answers it. */
export function statusOf(record: EnvironmentRecord, stacks: StackStatus[]) {
  const teardown = record.teardownExecutionArn;

  return {
    name: record.name,
    owner: record.owner,
    phase: record.phase,
    step: record.step,
    attempt: record.attempt,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    updatedAt: record.updatedAt,
    stacks,
    outputs: record.phase === 'ready' ? record.outputs : undefined,
    error:
      record.phase === 'failed' && record.error
        ? {
            failedStep: record.error.step,
            error: record.error.error,
            message: record.error.cause,
          }
        : undefined,
    leftBehind: record.leftBehind,
    executionArn: record.executionArn,
    consoleUrl: consoleUrlOf(record.executionArn),
    teardownExecutionArn: teardown,
    teardownConsoleUrl: teardown ? consoleUrlOf(teardown) : undefined,
    request: record.request,
    history: record.history,
  };
}

/**
 * GET /environments/{name}: where the environment is (phase and step),
 * each stack's status, its outputs once ready, the error and the failed
 * step once failed, and when it started and ended.
 */
export const handler = apiHandler(
  'GET /environments/{name}',
  async ({ event, principal }) => {
    const record = await visibleRecord(pathName(event), principal);
    const stacks =
      record.phase === 'deleted' ? [] : await stackStatuses(record.name);

    return { statusCode: 200, body: statusOf(record, stacks) };
  }
);
