import type { Context } from 'aws-lambda';
import { StackFailedError } from '../../../functions/shared/errors';
import { type TaskEvent, taskHandler } from '../../../functions/shared/handler';
import { logger } from '../../../functions/shared/logger';
import { captureLogs } from '../fixtures';

const correlation = { environment: 'demo', executionId: 'exec-1' };

interface DoubleEvent extends TaskEvent {
  n: number;
}

describe('taskHandler', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it("returns the run's result for the event it was given", async () => {
    // Prepare
    captureLogs();
    const run = jest.fn(async (event: DoubleEvent) => event.n * 2);
    const handler = taskHandler('double', run);

    // Act
    const result = await handler({ n: 21, correlation });

    // Assess
    expect(result).toBe(42);
    expect(run).toHaveBeenCalledWith({ n: 21, correlation });
  });

  it('rethrows the very error object the run threw', async () => {
    // Prepare
    captureLogs();
    const error = new StackFailedError('the data stack failed');
    const handler = taskHandler('fail', async () => {
      throw error;
    });

    // Act
    const invocation = handler({ correlation });

    // Assess
    await expect(invocation).rejects.toBe(error);
  });

  it('logs the start and end of the step under the correlation', async () => {
    // Prepare
    const logs = captureLogs();
    const handler = taskHandler('check a stack', async () => {
      logger.info('inside');
    });

    // Act
    await handler({ correlation });

    // Assess
    expect(
      logs.map(({ message, step, environment, executionId }) => ({
        message,
        step,
        environment,
        executionId,
      }))
    ).toEqual([
      { message: 'step started', step: 'check a stack', ...correlation },
      { message: 'inside', step: undefined, ...correlation },
      { message: 'step finished', step: 'check a stack', ...correlation },
    ]);
  });

  it('logs a failure whole, with its name, message and cause', async () => {
    // Prepare
    const logs = captureLogs();
    const handler = taskHandler('fail', async () => {
      throw new Error('outer', { cause: new Error('inner') });
    });

    // Act
    await handler({ correlation }).catch(() => undefined);

    // Assess
    const failure = logs.find((line) => line.message === 'step failed');
    expect(failure).toMatchObject({
      level: 'ERROR',
      step: 'fail',
      error: {
        name: 'Error',
        message: 'outer',
        cause: { name: 'Error', message: 'inner' },
      },
    });
  });

  it("adds the Lambda context's request id when there is one", async () => {
    // Prepare
    const logs = captureLogs();
    const handler = taskHandler('step', async () => 'done');
    const context = {
      functionName: 'haven-check-stack',
      functionVersion: '$LATEST',
      invokedFunctionArn:
        'arn:aws:lambda:eu-west-1:123456789012:function:haven-check-stack',
      memoryLimitInMB: '256',
      awsRequestId: 'request-7',
    } as Context;

    // Act
    await handler({ correlation }, context);

    // Assess
    expect(logs[0]).toMatchObject({
      function_name: 'haven-check-stack',
      function_request_id: 'request-7',
    });
  });
});
