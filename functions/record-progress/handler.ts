import { errorMessageOf } from '../notify/email';
import { type TaskEvent, taskHandler } from '../shared/handler';
import { logger } from '../shared/logger';
import {
  type EnvironmentOutputs,
  type Phase,
  type RecordChanges,
  updateRecord,
} from '../shared/records';
import type { CaughtError, CleanupResult } from '../shared/workflow';

export interface RecordProgressEvent extends TaskEvent {
  environment: string;
  /** The execution writing: only the record's current run may. */
  executionArn: string;
  /**
   * The phase the run reached. `deleted` ends a teardown: it is recorded
   * as `failed`, with what is left, when a stack could not be deleted.
   */
  phase: Exclude<Phase, 'deleted'> | 'deleted';
  /** The step under way, or the one that failed, by its state's name. */
  step: string;
  /** At ready: the outputs of the compute and data stacks. */
  compute?: Record<string, string>;
  data?: Record<string, string>;
  /** At failed: the error the failure path caught. */
  error?: CaughtError;
  /** At the end of a teardown: what became of each stack. */
  cleanup?: CleanupResult[];
}

export interface RecordProgressResult {
  recorded: boolean;
  phase: Phase;
  leftBehind: string[];
}

function outputsOf(event: RecordProgressEvent): EnvironmentOutputs {
  const { compute = {}, data = {} } = event;

  return {
    appUrl: compute.AppUrl,
    databaseEndpoint: data.DBEndpointAddress
      ? `${data.DBEndpointAddress}:${data.DBEndpointPort}`
      : undefined,
    bucket: data.StaticBucketName,
  };
}

function leftBehindOf(cleanup: CleanupResult[]): string[] {
  return cleanup
    .filter((result) => result.outcome !== 'deleted')
    .map((result) =>
      result.detail
        ? `${result.stackName}: ${errorMessageOf(result.detail)}`
        : `${result.stackName}: ${result.outcome}`
    );
}

function changesOf(
  event: RecordProgressEvent,
  now: Date
): RecordChanges & { phase: Phase } {
  const endedAt = now.toISOString();
  const { phase, step } = event;

  if (phase === 'ready') {
    return { phase, step, outputs: outputsOf(event), endedAt };
  }
  if (phase === 'failed') {
    return {
      phase,
      step,
      endedAt,
      error: {
        error: event.error?.Error ?? 'UnknownError',
        cause: errorMessageOf(event.error?.Cause),
        step,
      },
    };
  }
  if (phase === 'deleted') {
    const cleanup = event.cleanup ?? [];
    const leftBehind =
      cleanup.length > 0
        ? leftBehindOf(cleanup)
        : ['the teardown stopped before it deleted every stack'];
    if (leftBehind.length === 0) return { phase, step, endedAt, leftBehind };

    return {
      phase: 'failed',
      step,
      endedAt,
      leftBehind,
      error: {
        error: 'StackDeleteFailedError',
        cause: `Not everything could be deleted: ${leftBehind.join('; ')}`,
        step,
      },
    };
  }

  return { phase, step };
}

/**
 * Keeps the environment's record current from inside its workflows: the
 * phase, the step under way, the outputs once ready, the error and the
 * failed step once failed, what a teardown left. A run that no longer owns
 * the record (a newer attempt or a teardown took it over) changes nothing
 * and says so; that is not an error of the run.
 */
export const handler = taskHandler(
  'record the progress',
  async (event: RecordProgressEvent): Promise<RecordProgressResult> => {
    const changes = changesOf(event, new Date());
    const written = await updateRecord(
      event.environment,
      { executionArn: event.executionArn },
      changes
    );
    if (!written) {
      logger.warn('record not owned by this run', { phase: changes.phase });
    }

    return {
      recorded: written !== undefined,
      phase: changes.phase,
      leftBehind: changes.leftBehind ?? [],
    };
  }
);
