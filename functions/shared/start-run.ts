import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { NotStartedError } from './http-errors';
import { updateRecord } from './records';

/** One workflow run to start for an environment's record. */
export interface Run {
  environment: string;
  /** The run's ARN as the record holds it, so only this run is marked. */
  executionArn: string;
  stateMachineArn: string;
  executionName: string;
  input: unknown;
  /** The step a failure to start is recorded at, such as the teardown's. */
  step: string;
  /** What the API answers when the run did not start. */
  retryAdvice: string;
}

/**
 * Starts a run. A run that did not start must not hold the name: its
 * record is marked failed, so the next request starts one again.
 */
export async function startRun(sfn: SFNClient, run: Run): Promise<void> {
  try {
    await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: run.stateMachineArn,
        name: run.executionName,
        input: JSON.stringify(run.input),
      })
    );
  } catch (error) {
    const { name, message } = error as Error;
    await updateRecord(
      run.environment,
      { executionArn: run.executionArn },
      {
        phase: 'failed',
        step: run.step,
        error: { error: name, cause: message, step: run.step },
        endedAt: new Date().toISOString(),
      }
    );
    throw new NotStartedError(run.retryAdvice, { cause: error });
  }
}
