import { startLocalApi } from '../../local/api';
import { deleteFails } from '../../local/faults';
import { openMailbox } from '../../local/mailbox';
import type { LocalExecution } from '../../local/workflow';
import { useFaultyAws } from '../support/fault-proxy';
import { leftoversIn, requestFor, statesEntered } from '../support/leftovers';

/**
 * A teardown that meets a stack CloudFormation cannot delete, through the
 * API as a team would run it. The fault proxy accepts DeleteStack of the
 * compute stack without deleting anything and reports it DELETE_FAILED,
 * with the app's role left behind and why, as CloudFormation does when
 * someone attached a policy to the role by hand.
 */

const aws = useFaultyAws();

const owner = { userArn: 'arn:aws:iam::123456789012:role/team-teardown' };

const stuckRole = {
  logicalId: 'AppRole',
  type: 'AWS::IAM::Role',
  reason:
    'Cannot delete entity, must detach all policies first. (Service: Iam, ' +
    'Status Code: 409, Error Code: DeleteConflict)',
};

/**
 * Provisions `name` through the API, makes the compute stack's deletion
 * fail `tries` times (every time when left out), then tears it down.
 */
async function teardownMeetingDeleteFailed(name: string, tries?: number) {
  const api = await startLocalApi({ logSink: () => undefined });
  const mailbox = await openMailbox(name);
  await api.request({
    method: 'POST',
    path: '/environments',
    caller: owner,
    body: requestFor(name),
  });
  await api.runStarted();
  aws().proxy.add(
    ...deleteFails(`haven-${name}-compute`, [stuckRole], { tries })
  );

  const deleted = await api.request({
    method: 'DELETE',
    path: `/environments/${name}`,
    caller: owner,
  });
  const [teardown] = (await api.runStarted()) as [LocalExecution];
  const record = await api.request({
    method: 'GET',
    path: `/environments/${name}`,
    caller: owner,
  });
  const deletes = aws().proxy.calls.filter(
    (call) => call.operation === 'DeleteStack'
  );

  return {
    deleted,
    teardown,
    record: record.body,
    emails: await mailbox.read(),
    deleteStackCalls: deletes.length,
    faultedDeletes: deletes.filter((call) => call.faults.length > 0).length,
    left: await leftoversIn(aws().emulator.endpoint),
  };
}

describe('a teardown that meets DELETE_FAILED', () => {
  it('deletes the stack once more and succeeds when the second try works', async () => {
    const result = await teardownMeetingDeleteFailed('retry-gone', 1);

    expect(result.deleted.statusCode).toBe(202);
    expect(result.teardown.error).toBeUndefined();
    expect(result.teardown.status).toBe('SUCCEEDED');
    expect(statesEntered(result.teardown.events)).toContain(
      'Delete the stack once more'
    );
    // compute twice (the first accepted and ignored), then data and network.
    expect(result.faultedDeletes).toBe(1);
    expect(result.deleteStackCalls).toBe(4);
    expect(result.record).toMatchObject({ phase: 'deleted', leftBehind: [] });
    expect(result.emails.at(-1)?.subject).toBe(
      'haven: environment retry-gone is deleted'
    );
    expect(result.emails.at(-1)?.body).toContain(
      '  - haven-retry-gone-compute: deleted\n' +
        '  - haven-retry-gone-data: deleted\n' +
        '  - haven-retry-gone-network: deleted'
    );
    expect(result.left.stacks).toEqual([]);
  });

  it('reports what is left when the stack stays DELETE_FAILED', async () => {
    const result = await teardownMeetingDeleteFailed('stays-stuck');
    const email = result.emails.at(-1);

    expect(result.teardown.status).toBe('FAILED');
    expect(result.teardown.error).toBe('StackDeleteFailedError');
    // Tried twice, then reported; the later stacks are still tried.
    expect(result.faultedDeletes).toBe(2);
    expect(statesEntered(result.teardown.events)).toContain(
      'Stack could not be deleted'
    );
    expect(email?.subject).toBe(
      'haven: environment stays-stuck could not be deleted completely'
    );
    expect(email?.body).toContain(
      'The teardown of your environment "stays-stuck" left resources behind.'
    );
    expect(email?.body).toContain(
      '  - haven-stays-stuck-compute: delete failed: The compute stack ' +
        'haven-stays-stuck-compute could not be deleted. Left in the ' +
        'account: AppRole (AWS::IAM::Role'
    );
    expect(email?.body).toContain(stuckRole.reason);
    expect(email?.body).toContain('  - haven-stays-stuck-data: deleted');
    expect(email?.body).toContain('then send DELETE again');
    expect(result.left.stacks).toEqual([
      'haven-stays-stuck-compute CREATE_COMPLETE',
    ]);
  });

  it('records the environment failed, with what is left, for GET', async () => {
    const { record, teardown } =
      await teardownMeetingDeleteFailed('stays-recorded');

    expect(record).toMatchObject({
      phase: 'failed',
      teardownExecutionArn: teardown.executionArn,
      error: { error: 'StackDeleteFailedError' },
    });
    expect(record.leftBehind).toEqual([
      expect.stringMatching(
        /^haven-stays-recorded-compute: The compute stack .*AppRole/
      ),
    ]);
    expect(record.leftBehind[0]).toContain('DeleteConflict');
    expect(record.error.message).toMatch(/^Not everything could be deleted/);
    expect(record.stacks).toContainEqual({
      tier: 'compute',
      stackName: 'haven-stays-recorded-compute',
      status: 'DELETE_FAILED',
    });
  });
});
