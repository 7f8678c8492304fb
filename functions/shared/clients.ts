import { Tracer } from '@aws-lambda-powertools/tracer';

/** X-Ray tracing; it stays off outside Lambda, in tests and local runs. */
export const tracer = new Tracer({ serviceName: 'haven' });

/**
 * Settings for every AWS client. The SDK's own retries absorb short
 * throttling; the state machine's Retry covers what outlasts them.
 */
export const sdkSettings = { maxAttempts: 5 } as const;

/**
 * Returns the client with its calls traced. Each handler makes only the
 * clients it uses, so esbuild leaves the others out of its bundle.
 */
export function traced<T>(client: T): T {
  return tracer.captureAWSv3Client(client);
}
