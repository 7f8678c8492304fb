import {
  CloudFormationClient,
  CreateStackCommand,
} from '@aws-sdk/client-cloudformation';
import {
  callFails,
  deleteFails,
  stackFails,
  stackReports,
} from '../../local/faults';
import { provisionLocally } from '../../local/provision';
import { templateBody } from '../support/cfn-yaml';
import { useFaultyAws } from '../support/fault-proxy';
import {
  leftoversIn,
  requestFor,
  statesEntered,
  statesRetried,
} from '../support/leftovers';

/**
 * What an attempt leaves, and what the next one does with it: a stack left
 * rolled back, a deletion that fails, an email that cannot be sent.
 */

const aws = useFaultyAws();

const computeFails = (name: string) =>
  stackFails(`haven-${name}-compute`, 'ROLLBACK_COMPLETE', [
    {
      logicalId: 'AppAutoScalingGroup',
      type: 'AWS::AutoScaling::AutoScalingGroup',
      reason: 'Received 0 SUCCESS signal(s) out of 2.',
    },
  ]);

describe('cleaning up after a failure', () => {
  it('replaces a stack an earlier attempt left rolled back', async () => {
    const { StackId = '' } = await new CloudFormationClient({
      endpoint: aws().emulator.endpoint,
    }).send(
      new CreateStackCommand({
        StackName: 'haven-again-network',
        TemplateBody: templateBody('templates/network.yaml'),
        Parameters: [
          { ParameterKey: 'EnvironmentName', ParameterValue: 'again' },
          { ParameterKey: 'Owner', ParameterValue: 'team-again' },
        ],
      })
    );
    aws().proxy.add(
      ...stackReports('haven-again-network', 'ROLLBACK_COMPLETE', {
        stackId: StackId,
      })
    );

    const { execution, emails } = await provisionLocally({
      request: requestFor('again'),
      logSink: () => undefined,
    });

    expect(execution.error).toBeUndefined();
    expect(execution.status).toBe('SUCCEEDED');
    expect(statesRetried(execution.events)).toContain(
      'Create the network stack'
    );
    const operations = aws().proxy.calls.map((c) => c.operation);
    expect(operations.indexOf('DeleteStack')).toBeLessThan(
      operations.indexOf('CreateStack')
    );
    expect(emails.map((e) => e.subject)).toEqual([
      'haven: environment again is ready',
    ]);
    expect((await leftoversIn(aws().emulator.endpoint)).stacks).toEqual([
      'haven-again-compute CREATE_COMPLETE',
      'haven-again-data CREATE_COMPLETE',
      'haven-again-network CREATE_COMPLETE',
    ]);
  });

  it('reports a stack it could not delete, with what is left in it', async () => {
    aws().proxy.add(
      ...computeFails('stuck-delete'),
      ...deleteFails('haven-stuck-delete-compute', [
        {
          logicalId: 'LoadBalancer',
          type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
          reason: 'Load balancer is protected from deletion.',
        },
      ])
    );

    const { execution, emails } = await provisionLocally({
      request: requestFor('stuck-delete'),
      logSink: () => undefined,
    });

    expect(execution.error).toBe('StackFailedError');
    expect(statesEntered(execution.events)).toContain(
      'Stack could not be deleted'
    );
    const body = emails[0]?.body ?? '';
    expect(body).toContain(
      '  - haven-stuck-delete-compute: delete failed (The compute stack ' +
        'haven-stuck-delete-compute could not be deleted. Left in the ' +
        'account: LoadBalancer (AWS::ElasticLoadBalancingV2::LoadBalancer'
    );
    expect(body).toContain('Load balancer is protected from deletion.');
    expect(body).toContain('  - haven-stuck-delete-data: deleted');
    const left = await leftoversIn(aws().emulator.endpoint);
    expect(left.stacks).toEqual(['haven-stuck-delete-compute CREATE_COMPLETE']);
  });

  it('fails with the original error when the failure email fails too', async () => {
    aws().proxy.add(
      ...computeFails('no-email'),
      ...callFails('sns', 'Publish', {
        status: 403,
        code: 'AuthorizationError',
        message: 'User is not authorized to perform: SNS:Publish',
      })
    );

    const { execution, emails } = await provisionLocally({
      request: requestFor('no-email'),
      logSink: () => undefined,
    });

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('StackFailedError');
    expect(execution.cause).toContain('Received 0 SUCCESS signal(s)');
    const last = statesEntered(execution.events).slice(-3);
    expect(last).toContain('Email the requester what failed');
    expect(last.at(-1)).toBe('Provisioning failed');
    expect(emails).toEqual([]);
    expect((await leftoversIn(aws().emulator.endpoint)).stacks).toEqual([]);
  });
});
