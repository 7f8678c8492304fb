import {
  type TeardownReport,
  teardownEmail,
} from '../../../functions/notify/teardown-email';

const executionId =
  'arn:aws:states:us-east-1:123456789012:execution:haven-teardown:demo-t';

function aReport(overrides: Partial<TeardownReport> = {}): TeardownReport {
  return {
    environment: 'demo',
    topicArn: 'arn:aws:sns:us-east-1:123456789012:haven-demo-notifications',
    notificationEmail: 'team@example.com',
    retainBucket: false,
    bucket: 'demo-django-static-123456789012',
    cleanup: [
      { tier: 'compute', stackName: 'haven-demo-compute', outcome: 'deleted' },
      { tier: 'data', stackName: 'haven-demo-data', outcome: 'deleted' },
      { tier: 'network', stackName: 'haven-demo-network', outcome: 'deleted' },
    ],
    executionId,
    startTime: '2026-01-01T10:00:00.000Z',
    ...overrides,
  };
}

const now = new Date('2026-01-01T10:04:05.000Z');

describe('teardownEmail', () => {
  it('says the environment is deleted and its name free', () => {
    const email = teardownEmail(aReport(), now);

    expect(email.subject).toBe('haven: environment demo is deleted');
    expect(email.body).toContain('Your environment "demo" is deleted.');
    expect(email.body).toContain(
      '  - haven-demo-compute: deleted\n' +
        '  - haven-demo-data: deleted\n' +
        '  - haven-demo-network: deleted'
    );
    expect(email.body).toContain('Total time: 4 min 5 s');
    expect(email.body).toContain(`#/v2/executions/details/${executionId}`);
    expect(email.body).toContain('The name demo is free again.');
    expect(email.body).toContain('the media bucket was emptied and deleted');
  });

  it('names the kept bucket when the request kept it', () => {
    const email = teardownEmail(
      aReport({
        retainBucket: true,
        cleanup: [
          {
            tier: 'data',
            stackName: 'haven-demo-data',
            outcome: 'deleted',
            retained: ['StaticBucket'],
          },
        ],
      }),
      now
    );

    expect(email.body).toContain(
      '  - haven-demo-data: deleted (kept: StaticBucket)'
    );
    expect(email.body).toContain(
      'the media bucket demo-django-static-123456789012, as the request asked'
    );
  });

  it('says what is left and why, and what to do next', () => {
    const email = teardownEmail(
      aReport({
        cleanup: [
          {
            tier: 'compute',
            stackName: 'haven-demo-compute',
            outcome: 'delete failed',
            detail: JSON.stringify({
              errorType: 'StackDeleteFailedError',
              errorMessage: 'Left in the account: AppSecurityGroup',
            }),
          },
        ],
      }),
      now
    );

    expect(email.subject).toBe(
      'haven: environment demo could not be deleted completely'
    );
    expect(email.body).toContain(
      '  - haven-demo-compute: delete failed: Left in the account: ' +
        'AppSecurityGroup'
    );
    expect(email.body).toContain('send DELETE again');
  });

  it('says the teardown stopped when no stack was reported', () => {
    const email = teardownEmail(aReport({ cleanup: [] }), now);

    expect(email.body).toContain(
      'the teardown stopped before it reported on any stack'
    );
  });
});
