import { type FailedResource, stackFails } from '../../local/faults';
import { provisionLocally } from '../../local/provision';
import { loadTemplate } from '../support/cfn-yaml';
import { useFaultyAws } from '../support/fault-proxy';
import { leftoversIn, requestFor, statesEntered } from '../support/leftovers';

/**
 * A stack of each tier fails, as CloudFormation reports it (through the
 * fault proxy: moto never fails a stack by itself), with the attempt's
 * stacks rolled back or kept. Each case checks the execution's error, the
 * email and what the emulator holds afterwards.
 */

const aws = useFaultyAws();

const tiers = ['network', 'data', 'compute'] as const;
type Tier = (typeof tiers)[number];

const failures: Record<Tier, FailedResource> = {
  network: {
    logicalId: 'NatGateway1',
    type: 'AWS::EC2::NatGateway',
    reason: 'The maximum number of NAT gateways has been reached.',
  },
  data: {
    logicalId: 'DatabaseInstance',
    type: 'AWS::RDS::DBInstance',
    reason: 'Cannot find version 16.99 for postgres',
  },
  compute: {
    logicalId: 'AppAutoScalingGroup',
    type: 'AWS::AutoScaling::AutoScalingGroup',
    reason: 'You have requested more vCPU capacity than your current limit.',
  },
};

function created(failed: Tier): Tier[] {
  return tiers.slice(0, tiers.indexOf(failed) + 1);
}

describe.each(tiers)('when the %s stack fails', (tier) => {
  const failure = failures[tier];

  it('rolls back: deletes every stack of the attempt and says what stays', async () => {
    const name = `${tier}-gone`;
    aws().proxy.add(
      ...stackFails(`haven-${name}-${tier}`, 'ROLLBACK_COMPLETE', [failure])
    );

    const { execution, emails } = await provisionLocally({
      request: requestFor(name),
      logSink: () => undefined,
    });

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('StackFailedError');
    expect(execution.cause).toContain(
      `First failed resource: ${failure.logicalId} (${failure.type}) ` +
        `CREATE_FAILED: ${failure.reason}`
    );
    expect(statesEntered(execution.events)).toContain(
      'Delete the stacks of this attempt'
    );
    expect(emails).toHaveLength(1);
    const [email] = emails;
    expect(email?.subject).toBe(
      `haven: environment ${name} failed at create the ${tier} stack`
    );
    expect(email?.body).toContain(`Stack:       haven-${name}-${tier}`);
    expect(email?.body).toContain(failure.reason);
    expect(email?.body).toContain('Error type:  StackFailedError');
    // The tiers up to the failed one were created and are deleted; those
    // after it were never created, and the email says which is which.
    const failedAt = tiers.indexOf(tier);
    tiers.forEach((each, index) => {
      const outcome = index <= failedAt ? 'deleted' : 'never created';
      expect(email?.body).toContain(`  - haven-${name}-${each}: ${outcome}`);
    });
    expect(email?.body).toContain('the final snapshot of the\ndatabase');
    // Only the topic of the team's emails outlives the attempt. moto drops
    // a deleted database's snapshots; AWS keeps the final one, which is
    // what the data tier's deletion policy asks for.
    expect(await leftoversIn(aws().emulator.endpoint)).toEqual({
      stacks: [],
      databases: [],
      snapshots: [],
      buckets: [],
      topics: [`haven-${name}-notifications`],
    });
  });

  it('keeps the stacks when asked, and lists them in the email', async () => {
    const name = `${tier}-kept`;
    aws().proxy.add(
      ...stackFails(`haven-${name}-${tier}`, 'CREATE_FAILED', [failure])
    );

    const { execution, emails } = await provisionLocally({
      request: requestFor(name, { rollbackOnFailure: false }),
      logSink: () => undefined,
    });

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('StackFailedError');
    expect(execution.cause).toContain(failure.reason);
    expect(statesEntered(execution.events)).not.toContain(
      'Delete the stacks of this attempt'
    );
    const [email] = emails;
    expect(emails).toHaveLength(1);
    expect(email?.body).toContain('kept for inspection');
    for (const each of created(tier)) {
      const status = each === tier ? 'CREATE_FAILED' : 'CREATE_COMPLETE';
      expect(email?.body).toContain(`  - haven-${name}-${each} (${status})`);
    }
    const left = await leftoversIn(aws().emulator.endpoint);
    // Read past the proxy, the stacks are as the emulator built them.
    expect(left.stacks).toEqual(
      created(tier)
        .map((each) => `haven-${name}-${each} CREATE_COMPLETE`)
        .sort()
    );
    expect(left.databases).toEqual(
      tier === 'network' ? [] : [`${name}-postgres`]
    );
  });
});

it('keeps a final snapshot of the database when its stack is deleted', () => {
  const data = loadTemplate('templates/data.yaml');

  expect(data.Resources.DatabaseInstance?.DeletionPolicy).toBe('Snapshot');
});
