import { SFNClient } from '@aws-sdk/client-sfn';
import {
  type ApiAnswer,
  apiHandler,
  environmentUrl,
} from '../shared/api-handler';
import { sdkSettings, traced } from '../shared/clients';
import { platformLimits } from '../shared/defaults';
import { logger } from '../shared/logger';
import type { EnvironmentRecord } from '../shared/records';
import { startRun } from '../shared/start-run';
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

function start(record: EnvironmentRecord, executionName: string) {
  return startRun(sfn, {
    environment: record.name,
    executionArn: record.executionArn,
    stateMachineArn: machineArn(),
    executionName,
    input: record.request,
    step: 'Start the provisioning',
    retryAdvice:
      'Step Functions did not start the provisioning. Send the request ' +
      'again in a minute.',
  });
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
