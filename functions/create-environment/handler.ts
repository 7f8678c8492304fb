import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  type ApiAnswer,
  apiHandler,
  environmentUrl,
} from '../shared/api-handler';
import { sdkSettings, traced } from '../shared/clients';
import { platformLimits } from '../shared/defaults';
import { NotStartedError } from '../shared/http-errors';
import { logger } from '../shared/logger';
import { type EnvironmentRecord, updateRecord } from '../shared/records';
import { consoleUrlOf } from '../shared/workflow';
import { parseBody } from './body';
import { claimName } from './claim';
import { estimateCost } from './cost';
import { fingerprintOf } from './fingerprint';
import { planOf } from './plan';

const sfn = traced(new SFNClient(sdkSettings));

/** Told with every accepted request: SNS holds back mail until then. */
export const confirmationNote =
  'SNS first sends notificationEmail a message asking to confirm the ' +
  "subscription to this environment's emails. Confirm it: nothing, not " +
  'even the ready email, is delivered to the address before that.';

function machineArn(): string {
  const arn = process.env.PROVISION_STATE_MACHINE_ARN;
  if (!arn) throw new Error('PROVISION_STATE_MACHINE_ARN is not set');

  return arn;
}

function accepted(
  record: EnvironmentRecord,
  statusUrl: string,
  statusCode: number
): ApiAnswer {
  return {
    statusCode,
    headers: { location: statusUrl },
    body: {
      name: record.name,
      phase: record.phase,
      attempt: record.attempt,
      executionArn: record.executionArn,
      consoleUrl: consoleUrlOf(record.executionArn),
      statusUrl,
      note: confirmationNote,
    },
  };
}

async function start(record: EnvironmentRecord, executionName: string) {
  try {
    await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: machineArn(),
        name: executionName,
        input: JSON.stringify(record.request),
      })
    );
  } catch (error) {
    // The claim must not outlive a run that never started, or the name
    // would stay taken: mark the attempt failed so a new request can retry.
    await updateRecord(
      record.name,
      { executionArn: record.executionArn },
      {
        phase: 'failed',
        step: 'Start the provisioning',
        error: {
          error: (error as Error).name,
          cause: (error as Error).message,
          step: 'Start the provisioning',
        },
        endedAt: new Date().toISOString(),
      }
    );
    throw new NotStartedError(
      'Step Functions did not start the provisioning. Send the request ' +
        'again in a minute.',
      { cause: error }
    );
  }
}

/**
 * POST /environments: validates a request and starts its provisioning
 * (202), or with `dryRun` answers the plan and its monthly cost and
 * starts nothing (200). The same request again answers the environment it
 * already made, with the same execution.
 */
export const handler = apiHandler(
  'POST /environments',
  async ({ event, principal }) => {
    const { request, dryRun } = parseBody(
      event.body,
      event.isBase64Encoded,
      principal.arn,
      platformLimits()
    );
    if (dryRun) {
      return {
        statusCode: 200,
        body: {
          dryRun: true,
          name: request.name,
          request,
          plan: planOf(request),
          estimatedMonthlyCost: estimateCost(request),
          note: 'A dry run starts nothing and claims no name.',
        },
      };
    }

    const { record, isNew, executionName } = await claimName(
      request,
      fingerprintOf(request),
      machineArn()
    );
    const statusUrl = environmentUrl(event, request.name);
    if (!isNew) {
      logger.info('identical request repeated', { phase: record.phase });

      return accepted(record, statusUrl, record.phase === 'ready' ? 200 : 202);
    }

    await start(record, executionName);
    logger.info('provisioning started', {
      executionArn: record.executionArn,
      attempt: record.attempt,
    });

    return accepted(record, statusUrl, 202);
  }
);
