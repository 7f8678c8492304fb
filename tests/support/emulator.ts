import {
  type Emulator,
  localAwsSettings,
  startEmulator,
} from '../../local/emulator';

/**
 * Starts one emulator for a test file and points the AWS SDK at it through
 * AWS_ENDPOINT_URL, as a user's shell would. Restores the environment after.
 */
export function useEmulator(): { current: () => Emulator } {
  let emulator: Emulator | undefined;
  const saved = { ...process.env };

  beforeAll(async () => {
    emulator = await startEmulator();
    Object.assign(process.env, localAwsSettings, {
      AWS_ENDPOINT_URL: emulator.endpoint,
    });
  });

  afterAll(async () => {
    await emulator?.stop();
    process.env = saved;
  });

  return {
    current: () => {
      if (!emulator) throw new Error('the emulator has not started');
      return emulator;
    },
  };
}
