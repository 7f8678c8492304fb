import { randomBytes } from 'node:crypto';
import { SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { executionArnOf } from '../create-environment/claim';
import { visibleRecord } from '../shared/access';
import {
  type ApiAnswer,
  apiHandler,
  environmentUrl,
  pathName,
} from '../shared/api-handler';
import { sdkSettings, traced } from '../shared/clients';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
} from '../shared/http-errors';
import { logger } from '../shared/logger';
import {
  type EnvironmentRecord,
  getRecord,
  updateRecord,
} from '../shared/records';
import { startRun } from '../shared/start-run';
import { consoleUrlOf } from '../shared/workflow';
import { teardownInputOf } from './teardown-input';

const sfn = traced(new SFNClient(sdkSettings));

function machineArn(): string {
  const arn = process.env.TEARDOWN_STATE_MACHINE_ARN;
  if (!arn) throw new Error('TEARDOWN_STATE_MACHINE_ARN is not set');

  return arn;
}

function retainBucketOf(value: string | undefined): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new BadRequestError([
    { field: 'retainBucket', message: 'must be true or false' },
  ]);
}

function answer(
  record: EnvironmentRecord,
  statusUrl: string,
  statusCode: number,
  stopped?: string
): ApiAnswer {
  const teardown = record.teardownExecutionArn;

  return {
    statusCode,
    headers: { location: statusUrl },
    body: {
      name: record.name,
      phase: record.phase,
      retainBucket: record.retainBucket ?? false,
      teardownExecutionArn: teardown,
      consoleUrl: teardown ? consoleUrlOf(teardown) : undefined,
      stoppedExecutionArn: stopped,
      statusUrl,
    },
  };
}

/** Stops a provisioning run; one that already ended is left as it is. */
async function stopProvisioning(executionArn: string) {
  try {
    await sfn.send(
      new StopExecutionCommand({
        executionArn,
        error: 'EnvironmentDeleted',
        cause: 'The environment was deleted while it was being provisioned.',
      })
    );
    logger.info('provisioning stopped', { executionArn });
  } catch (error) {
    if ((error as Error).name !== 'ExecutionDoesNotExist') throw error;
  }
}

async function startTeardown(
  record: EnvironmentRecord,
  executionName: string,
  wasProvisioning: boolean
) {
  if (wasProvisioning) await stopProvisioning(record.executionArn);
  await startRun(sfn, {
    environment: record.name,
    executionArn: record.teardownExecutionArn as string,
    stateMachineArn: machineArn(),
    executionName,
    input: teardownInputOf(record, record.retainBucket ?? false, machineArn()),
    step: 'Start the teardown',
    retryAdvice:
      'Step Functions did not start the teardown. Send the DELETE again ' +
      'in a minute.',
  });
}

/**
 * DELETE /environments/{name}[?retainBucket=true]: starts the teardown
 * (202). A provisioning still running is stopped first. A teardown under
 * way is answered again (202, same execution); a deleted environment
 * answers 200 and starts nothing.
 */
export const handler = apiHandler(
  'DELETE /environments/{name}',
  async ({ event, principal }) => {
    const name = pathName(event);
    const retainBucket = retainBucketOf(
      event.queryStringParameters?.retainBucket
    );
    let seen: EnvironmentRecord | undefined = await visibleRecord(
      name,
      principal
    );
    const statusUrl = environmentUrl(event, name);

    for (let round = 0; round < 3 && seen; round += 1) {
      if (seen.phase === 'deleted') return answer(seen, statusUrl, 200);
      if (seen.phase === 'tearing down') return answer(seen, statusUrl, 202);

      const suffix = randomBytes(4).toString('hex');
      const executionName = `${name}-teardown-${seen.attempt}-${suffix}`;
      const teardownArn = executionArnOf(machineArn(), executionName);
      const claimed = await updateRecord(
        name,
        { phase: seen.phase, attempt: seen.attempt },
        {
          phase: 'tearing down',
          step: 'Start the teardown',
          teardownExecutionArn: teardownArn,
          retainBucket,
        }
      );
      if (claimed) {
        const wasProvisioning = seen.phase === 'provisioning';
        await startTeardown(claimed, executionName, wasProvisioning);
        logger.info('teardown started', { teardownArn, wasProvisioning });

        return answer(
          claimed,
          statusUrl,
          202,
          wasProvisioning ? seen.executionArn : undefined
        );
      }
      // Another request moved the record on: decide again on what it is now.
      seen = await getRecord(name);
    }
    if (!seen) throw new NotFoundError(name);

    throw new ConflictError(
      `Other requests are changing ${name} at this moment. Try again in a ` +
        'few seconds.'
    );
  }
);
