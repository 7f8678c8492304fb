import { platformLimits } from '../shared/defaults';
import { RequestValidationError } from '../shared/errors';
import { correlate, logger } from '../shared/logger';
import { parseRequest } from '../shared/request';
import { stackNameOf, teardownTiersOf } from '../shared/tiers';
import { consoleUrlOf, type WorkflowState } from '../shared/workflow';

export interface ValidateRequestEvent {
  request: unknown;
  execution: { id: string; name: string; startTime: string };
}

function claimedName(request: unknown): string {
  const name = (request as { name?: unknown } | null)?.name;

  return typeof name === 'string' ? name.slice(0, 64) : 'unknown';
}

/**
 * First step of a provisioning: checks the request against the closed
 * schema and the platform's limits, fills in every default, and names the
 * stacks this environment will own.
 */
export async function handler(
  event: ValidateRequestEvent
): Promise<WorkflowState> {
  correlate({
    environment: claimedName(event.request),
    executionId: event.execution.id,
  });

  try {
    const request = parseRequest(event.request, platformLimits());
    const stacks = {
      network: stackNameOf(request.name, 'network'),
      data: stackNameOf(request.name, 'data'),
      compute: stackNameOf(request.name, 'compute'),
      ...(request.eks?.mode === 'create'
        ? { eks: stackNameOf(request.name, 'eks') }
        : {}),
    };
    logger.info('request accepted', { sizes: request.sizes });

    return {
      request,
      execution: {
        ...event.execution,
        consoleUrl: consoleUrlOf(event.execution.id),
      },
      correlation: {
        environment: request.name,
        executionId: event.execution.id,
      },
      stacks,
      teardownOrder: teardownTiersOf(request).map((tier) => ({
        tier,
        stackName: stackNameOf(request.name, tier),
      })),
    };
  } catch (error) {
    if (error instanceof RequestValidationError) {
      logger.warn('request rejected', { problems: error.problems });
    }
    throw error;
  }
}
