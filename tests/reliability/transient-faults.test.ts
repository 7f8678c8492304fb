import { slowAnswer, throttle } from '../../local/faults';
import { provisionLocally } from '../../local/provision';
import { useFaultyAws } from '../support/fault-proxy';
import { leftoversIn, requestFor, statesRetried } from '../support/leftovers';

/**
 * Faults that pass: AWS throttles, or a function runs past its timeout.
 * Provisioning absorbs them through the SDK's retries and the state
 * machine's Retry lists, and ends as if nothing had happened.
 */

const aws = useFaultyAws();

const handlerServices = [
  'cloudformation',
  'rds',
  'elasticloadbalancing',
  'autoscaling',
  'sns',
  's3',
];

describe('provisioning under transient faults', () => {
  it('succeeds with 30 % of the AWS calls throttled', async () => {
    aws().proxy.add(...throttle(0.3, handlerServices));

    const { execution, emails } = await provisionLocally({
      request: requestFor('throttled'),
      logSink: () => undefined,
    });

    expect(execution.error).toBeUndefined();
    expect(execution.status).toBe('SUCCEEDED');
    expect(emails.map((e) => e.subject)).toEqual([
      'haven: environment throttled is ready',
    ]);
    const throttled = aws().proxy.calls.filter((c) => c.faults.length > 0);
    expect(throttled.length).toBeGreaterThan(5);
    expect((await leftoversIn(aws().emulator.endpoint)).stacks).toHaveLength(3);
  });

  it('retries a function that timed out after its call took effect', async () => {
    // CreateStack reaches CloudFormation, but its answer comes after the
    // function's timeout: the retry must take the stack that exists.
    aws().proxy.add(...slowAnswer('cloudformation', 'CreateStack', 1500, 1));

    const { execution } = await provisionLocally({
      request: requestFor('timed-out'),
      logSink: () => undefined,
      timeoutMs: 1000,
    });

    expect(execution.error).toBeUndefined();
    expect(execution.status).toBe('SUCCEEDED');
    expect(statesRetried(execution.events)).toEqual([
      'Create the network stack',
    ]);
    const left = await leftoversIn(aws().emulator.endpoint);
    expect(left.stacks).toEqual([
      'haven-timed-out-compute CREATE_COMPLETE',
      'haven-timed-out-data CREATE_COMPLETE',
      'haven-timed-out-network CREATE_COMPLETE',
    ]);
  });
});
