import { Logger } from '@aws-lambda-powertools/logger';

/** The one structured logger every haven function writes through. */
export const logger = new Logger({ serviceName: 'haven' });

/** Who a log line is about: appended once to every line of an invocation. */
export interface Correlation {
  environment: string;
  executionId: string;
}

/**
 * Adds the environment name and the execution id to every following line
 * of this invocation. Keys from an earlier invocation of a warm function are
 * replaced, never mixed.
 */
export function correlate(correlation: Partial<Correlation> | undefined) {
  logger.resetKeys();
  logger.appendKeys({
    environment: correlation?.environment ?? 'unknown',
    executionId: correlation?.executionId ?? 'unknown',
  });
}
