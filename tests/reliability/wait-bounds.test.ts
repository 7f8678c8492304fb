import type { FaultRule } from '../../local/fault-proxy';
import {
  databaseNeverMultiAz,
  stackStaysInProgress,
  targetsNeverHealthy,
} from '../../local/faults';
import { provisionLocally } from '../../local/provision';
import { useFaultyAws } from '../support/fault-proxy';
import { leftoversIn, requestFor, statesEntered } from '../support/leftovers';

/**
 * Waits that never end well: each loop stops at its bound with a typed
 * error whose message says what was seen, and the attempt is rolled back.
 * Waits take no time locally; the bound is counted in looks, as in AWS.
 */

const aws = useFaultyAws();

const cases: [string, string, () => FaultRule[], string, RegExp, string][] = [
  [
    'the database never gets a standby',
    'no-standby',
    databaseNeverMultiAz,
    'DatabaseNotReadyError',
    new RegExp(
      /is not available with a standby in a second zone after 30 minutes: /
        .source +
        /status available, Multi-AZ false, primary zone us-east-1\w, /.source +
        /standby zone none\./.source
    ),
    'Check the database again',
  ],
  [
    'the targets never become healthy',
    'unhealthy',
    targetsNeverHealthy,
    'TargetsNotHealthyError',
    new RegExp(
      /reports 0 of 2 instances healthy, in 0 zone\(s\), after 20 minutes\. /
        .source + /Unhealthy targets: i-\w+ unhealthy, i-\w+ unhealthy\./.source
    ),
    'Check the targets again',
  ],
];

describe('bounded waits', () => {
  it.each(cases)(
    'fail when %s',
    async (_title, name, fault, error, message, loop) => {
      aws().proxy.add(...fault());

      const { execution, emails } = await provisionLocally({
        request: requestFor(name),
        logSink: () => undefined,
      });

      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe(error);
      expect(execution.cause).toMatch(message);
      const looks = statesEntered(execution.events).filter((s) => s === loop);
      expect(looks.length).toBeGreaterThan(5);
      expect(emails).toHaveLength(1);
      expect(emails[0]?.body).toContain(`Error type:  ${error}`);
      expect(emails[0]?.body).toMatch(message);
      expect((await leftoversIn(aws().emulator.endpoint)).stacks).toEqual([]);
    }
  );

  it('fail when a stack stays in progress past its bound', async () => {
    aws().proxy.add(...stackStaysInProgress('haven-stuck-network', {}));

    const { execution } = await provisionLocally({
      request: requestFor('stuck'),
      logSink: () => undefined,
    });

    expect(execution.error).toBe('StackTimeoutError');
    expect(execution.cause).toContain(
      'The network stack haven-stuck-network is still CREATE_IN_PROGRESS ' +
        'after 30 minutes'
    );
  });

  it('go on once a slow stack completes', async () => {
    aws().proxy.add(...stackStaysInProgress('haven-slow-data', { polls: 4 }));

    const { execution } = await provisionLocally({
      request: requestFor('slow'),
      logSink: () => undefined,
    });

    expect(execution.status).toBe('SUCCEEDED');
    const looks = statesEntered(execution.events).filter(
      (s) => s === 'Check the data stack'
    );
    expect(looks).toHaveLength(5);
  });
});
