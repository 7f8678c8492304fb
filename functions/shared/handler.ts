import type { Context } from 'aws-lambda';
import { type Correlation, correlate, logger } from './logger';

/** Every Task's input carries who it is about. */
export interface TaskEvent {
  correlation?: Correlation;
}

/**
 * Wraps a Task handler: tags every log line with the environment and the
 * execution, logs the failure whole (with its cause chain) and rethrows it
 * untouched, so Step Functions sees the typed error's name.
 */
export function taskHandler<E extends TaskEvent, R>(
  step: string,
  run: (event: E) => Promise<R>
): (event: E, context?: Context) => Promise<R> {
  return async (event, context) => {
    correlate(event.correlation);
    if (context) logger.addContext(context);
    logger.info('step started', { step });

    try {
      const result = await run(event);
      logger.info('step finished', { step });

      return result;
    } catch (error) {
      logger.error('step failed', { step, error: error as Error });
      throw error;
    }
  };
}
