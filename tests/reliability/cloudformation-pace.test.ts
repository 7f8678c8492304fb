import {
  CloudFormationClient,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { paced, turnWaits } from '../../functions/shared/cloudformation-pace';
import { busiestWindow } from '../../local/busiest-window';
import { provisionLocally } from '../../local/provision';
import { ensureTables } from '../../local/resources';
import { useFaultyAws } from '../support/fault-proxy';
import { requestFor } from '../support/leftovers';

/**
 * Every CloudFormation call of haven's functions takes a turn from one
 * table first, so however many executions call at once, haven starts no
 * more than its rate of calls a second on average, nor more than one
 * more in any second. The calls are timed where the emulator's proxy
 * receives them, as CloudFormation would.
 */

jest.setTimeout(120_000);

const aws = useFaultyAws();

/** The most calls received within any one second. */
const busiestSecond = (times: number[]) => busiestWindow(times, 1000);

const cloudFormationCalls = () =>
  aws()
    .proxy.calls.filter((c) => c.service === 'cloudformation')
    .map((c) => c.receivedAt);

describe('CloudFormation pace', () => {
  beforeEach(async () => {
    await ensureTables();
  });

  it('spreads calls made at once from three functions over their turns', async () => {
    // Arrange: three clients, as three functions have one each, with
    // what template.yaml gives the functions.
    process.env.CALL_PACE_TABLE = 'haven-call-pace';
    process.env.CLOUDFORMATION_CALLS_PER_SECOND = '4';
    const clients = [1, 2, 3].map(() =>
      paced(new CloudFormationClient({}), turnWaits.workflow)
    );

    // Act
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        clients[i % 3]?.send(new ListStacksCommand({}))
      )
    );
    delete process.env.CALL_PACE_TABLE;
    delete process.env.CLOUDFORMATION_CALLS_PER_SECOND;

    // Assess
    const times = cloudFormationCalls();
    expect(times).toHaveLength(12);
    expect(busiestSecond(times)).toBeLessThanOrEqual(5);
    const spanMs = Math.max(...times) - Math.min(...times);
    expect(spanMs).toBeGreaterThanOrEqual(11 * 250 - 250);
  });

  it('keeps three environments provisioned at once within the rate', async () => {
    // Act
    const runs = await Promise.all(
      ['paced-a', 'paced-b', 'paced-c'].map((name) =>
        provisionLocally({
          request: requestFor(name),
          logSink: () => undefined,
        })
      )
    );

    // Assess
    expect(runs.map((r) => r.execution.status)).toEqual([
      'SUCCEEDED',
      'SUCCEEDED',
      'SUCCEEDED',
    ]);
    // template.yaml's default pace is 3 a second: at most 4 in any one.
    const times = cloudFormationCalls();
    expect(times.length).toBeGreaterThan(3 * 6);
    expect(busiestSecond(times)).toBeLessThanOrEqual(4);
  });

  it('lets a platform team set another rate', async () => {
    // Act
    const { execution } = await provisionLocally({
      request: requestFor('slow-pace'),
      parameters: { CloudFormationCallsPerSecond: '2' },
      logSink: () => undefined,
    });

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(busiestSecond(cloudFormationCalls())).toBeLessThanOrEqual(3);
  });
});
