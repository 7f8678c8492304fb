import {
  type Emulator,
  localAwsSettings,
  startEmulator,
} from '../../local/emulator';
import { type FaultProxy, startFaultProxy } from '../../local/fault-proxy';

/** The emulator, and the fault proxy in front of it. */
export interface FaultyAws {
  emulator: Emulator;
  proxy: FaultProxy;
}

/**
 * Starts one emulator and one fault proxy for a test file, and points the
 * AWS SDK at the proxy through AWS_ENDPOINT_URL, so handlers reach the
 * faults unchanged. SQS, which only the test mailbox uses, goes straight
 * to the emulator: reading the emails back is no part of what is tested.
 * Each test starts with no rules and an empty emulator.
 */
export function useFaultyAws(): () => FaultyAws {
  let current: FaultyAws | undefined;
  const saved = { ...process.env };

  beforeAll(async () => {
    const emulator = await startEmulator();
    const proxy = await startFaultProxy({ target: emulator.endpoint });
    current = { emulator, proxy };
    Object.assign(process.env, localAwsSettings, {
      AWS_ENDPOINT_URL: proxy.endpoint,
      AWS_ENDPOINT_URL_SQS: emulator.endpoint,
    });
  });

  beforeEach(async () => {
    current?.proxy.clear();
    await current?.emulator.reset();
  });

  afterAll(async () => {
    await current?.proxy.stop();
    await current?.emulator.stop();
    process.env = saved;
  });

  return () => {
    if (!current) throw new Error('the emulator has not started');
    return current;
  };
}
