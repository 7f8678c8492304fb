import { correlate, logger } from '../../../functions/shared/logger';
import { captureLogs } from '../fixtures';

describe('correlate', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('appends the environment and the execution to every line', () => {
    // Prepare
    const logs = captureLogs();

    // Act
    correlate({ environment: 'demo', executionId: 'exec-1' });
    logger.info('first');
    logger.warn('second');

    // Assess
    expect(
      logs.map(({ message, environment, executionId }) => ({
        message,
        environment,
        executionId,
      }))
    ).toEqual([
      { message: 'first', environment: 'demo', executionId: 'exec-1' },
      { message: 'second', environment: 'demo', executionId: 'exec-1' },
    ]);
  });

  it('replaces the keys of an earlier invocation instead of mixing them', () => {
    // Prepare
    const logs = captureLogs();
    correlate({ environment: 'demo', executionId: 'exec-1' });
    logger.appendKeys({ stackName: 'haven-demo-data' });

    // Act
    correlate({ environment: 'shop' });
    logger.info('later');

    // Assess
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      message: 'later',
      environment: 'shop',
      executionId: 'unknown',
    });
    expect(logs[0]).not.toHaveProperty('stackName');
  });

  it('marks both keys unknown without a correlation', () => {
    // Prepare
    const logs = captureLogs();

    // Act
    correlate(undefined);
    logger.info('orphan');

    // Assess
    expect(logs[0]).toMatchObject({
      environment: 'unknown',
      executionId: 'unknown',
    });
  });
});
