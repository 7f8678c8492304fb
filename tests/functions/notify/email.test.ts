import {
  errorMessageOf,
  failureEmail,
  successEmail,
} from '../../../functions/notify/email';
import type { WorkflowState } from '../../../functions/shared/workflow';
import { aRequest, aWorkflowState } from '../fixtures';

const startedAt = Date.parse('2024-05-01T10:00:00.000Z');

function succeeded(overrides: Partial<WorkflowState> = {}) {
  return aWorkflowState({
    data: {
      tier: 'data',
      stackName: 'haven-demo-data',
      status: 'CREATE_COMPLETE',
      ready: true,
      attempt: 9,
      waitSeconds: 0,
      outputs: {
        DBEndpointAddress: 'demo-db.abc.eu-west-1.rds.amazonaws.com',
        DBEndpointPort: '5432',
        StaticBucketName: 'demo-django-static-123456789012',
      },
    },
    compute: {
      tier: 'compute',
      stackName: 'haven-demo-compute',
      status: 'CREATE_COMPLETE',
      ready: true,
      attempt: 4,
      waitSeconds: 0,
      outputs: { AppUrl: 'https://demo-alb-1.eu-west-1.elb.amazonaws.com' },
    },
    database: { primaryZone: 'eu-west-1a', standbyZone: 'eu-west-1b' },
    targets: { healthy: 2, zones: ['eu-west-1a', 'eu-west-1b'] },
    ...overrides,
  });
}

function failed(overrides: Partial<WorkflowState> = {}) {
  return aWorkflowState({
    failure: { step: 'Create the data stack', tier: 'data' },
    error: {
      Error: 'StackFailedError',
      Cause: JSON.stringify({
        errorType: 'StackFailedError',
        errorMessage:
          'The data stack haven-demo-data failed (ROLLBACK_COMPLETE).',
        trace: ['StackFailedError: at checkCreation'],
      }),
    },
    cleanup: [
      {
        tier: 'compute',
        stackName: 'haven-demo-compute',
        outcome: 'never created',
      },
      { tier: 'data', stackName: 'haven-demo-data', outcome: 'deleted' },
      { tier: 'network', stackName: 'haven-demo-network', outcome: 'deleted' },
    ],
    ...overrides,
  });
}

/** The value of one `Label: value` row of an email's table. */
function row(body: string, label: string): string | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${label}:`));

  return line?.slice(label.length + 1).trim();
}

describe('successEmail', () => {
  it('says which environment is ready in the subject', () => {
    // Act
    const { subject } = successEmail(succeeded(), new Date(startedAt));

    // Assess
    expect(subject).toBe('haven: environment demo is ready');
  });

  it.each([
    ['App URL', 'https://demo-alb-1.eu-west-1.elb.amazonaws.com'],
    ['Database', 'demo-db.abc.eu-west-1.rds.amazonaws.com:5432'],
    ['Database zones', 'primary eu-west-1a, standby eu-west-1b'],
    ['App instances', '2 healthy in eu-west-1a, eu-west-1b'],
    ['Media bucket', 'demo-django-static-123456789012'],
    ['Stacks', 'haven-demo-network, haven-demo-data, haven-demo-compute'],
    ['Total time', '25 min 30 s'],
    ['Execution', 'https://console.example/executions/run-1'],
  ])('gives the %s', (label, value) => {
    // Act
    const { body } = successEmail(
      succeeded(),
      new Date(startedAt + (25 * 60 + 30) * 1000)
    );

    // Assess
    expect(row(body, label)).toBe(value);
  });

  it('tells where the alarms go', () => {
    // Act
    const { body } = successEmail(succeeded(), new Date(startedAt));

    // Assess
    expect(body).toContain('Alarms of the environment go to\nteam@example.com');
  });

  it('leaves out the rows it has no value for', () => {
    // Act
    const { body } = successEmail(
      succeeded({ database: undefined, targets: undefined }),
      new Date(startedAt)
    );

    // Assess
    expect(row(body, 'Database zones')).toBeUndefined();
    expect(row(body, 'App instances')).toBeUndefined();
    expect(row(body, 'App URL')).toBeDefined();
  });

  it.each([
    [0, '0 s'],
    [59, '59 s'],
    [60, '1 min 0 s'],
    [3725, '62 min 5 s'],
    [-30, '0 s'],
  ])('gives %i seconds as %s', (seconds, text) => {
    // Act
    const { body } = successEmail(
      succeeded(),
      new Date(startedAt + seconds * 1000)
    );

    // Assess
    expect(row(body, 'Total time')).toBe(text);
  });
});

describe('failureEmail', () => {
  it('names the environment and the step in the subject', () => {
    // Act
    const { subject } = failureEmail(failed(), new Date(startedAt));

    // Assess
    expect(subject).toBe(
      'haven: environment demo failed at create the data stack'
    );
  });

  it.each([
    ['Failed step', 'Create the data stack'],
    ['Stack', 'haven-demo-data'],
    [
      'What failed',
      'The data stack haven-demo-data failed (ROLLBACK_COMPLETE).',
    ],
    ['Error type', 'StackFailedError'],
    ['Total time', '1 min 5 s'],
    ['Execution', 'https://console.example/executions/run-1'],
  ])('gives the %s', (label, value) => {
    // Act
    const { body } = failureEmail(failed(), new Date(startedAt + 65_000));

    // Assess
    expect(row(body, label)).toBe(value);
  });

  it('keeps a plain-text cause as it is', () => {
    // Act
    const { body } = failureEmail(
      failed({ error: { Error: 'States.Timeout', Cause: 'Task timed out' } }),
      new Date(startedAt)
    );

    // Assess
    expect(row(body, 'What failed')).toBe('Task timed out');
    expect(row(body, 'Error type')).toBe('States.Timeout');
  });

  it('names no stack for a step outside the tiers', () => {
    // Act
    const { body } = failureEmail(
      failed({ failure: { step: 'Subscribe the requester to its emails' } }),
      new Date(startedAt)
    );

    // Assess
    expect(row(body, 'Stack')).toBeUndefined();
    expect(row(body, 'Failed step')).toBe(
      'Subscribe the requester to its emails'
    );
  });

  it('speaks of an unknown step when the failure was not recorded', () => {
    // Act
    const { subject } = failureEmail(
      failed({ failure: undefined }),
      new Date(startedAt)
    );

    // Assess
    expect(subject).toBe('haven: environment demo failed at an unknown step');
  });

  it('lists what the rollback deleted', () => {
    // Act
    const { body } = failureEmail(failed(), new Date(startedAt));

    // Assess
    expect(body).toContain(
      [
        'haven deleted the stacks of this attempt:',
        '  - haven-demo-compute: never created',
        '  - haven-demo-data: deleted',
        '  - haven-demo-network: deleted',
      ].join('\n')
    );
    expect(body).toContain('final snapshot');
  });

  it('shows the message of a failed deletion, not its Lambda JSON', () => {
    // Prepare
    const state = failed({
      cleanup: [
        {
          tier: 'data',
          stackName: 'haven-demo-data',
          outcome: 'delete failed',
          detail: JSON.stringify({
            errorType: 'StackDeleteFailedError',
            errorMessage: 'Left in the account: StaticBucket',
            trace: ['StackDeleteFailedError: at checkDeletion'],
          }),
        },
      ],
    });

    // Act
    const { body } = failureEmail(state, new Date(startedAt));

    // Assess
    expect(body).toContain(
      '  - haven-demo-data: delete failed (Left in the account: StaticBucket)'
    );
    expect(body).not.toContain('errorType');
  });

  it('names a release the rollback left on a named cluster, with why', () => {
    // Prepare
    const state = failed({
      cluster: { clusterName: 'shared' },
      appUninstall: {
        Error: 'HelmReleaseFailedError',
        Cause: JSON.stringify({
          errorType: 'HelmReleaseFailedError',
          errorMessage: 'helm uninstall of the release django-app failed',
        }),
      },
      monitoringUninstall: { status: 'uninstalled' },
    });

    // Act
    const { body } = failureEmail(state, new Date(startedAt));

    // Assess
    expect(body).toContain(
      [
        'Helm releases of this attempt on the cluster shared:',
        '  - django-app: left installed (helm uninstall of the release ' +
          'django-app failed)',
        '  - monitoring: uninstalled',
        'haven deleted the stacks of this attempt:',
      ].join('\n')
    );
  });

  it('lists the releases kept on a named cluster without rollback', () => {
    // Prepare
    const request = aRequest({ rollbackOnFailure: false });
    const state = failed({
      request: {
        ...request,
        eks: { mode: 'existing', clusterName: 'shared' },
      } as WorkflowState['request'],
      cluster: { clusterName: 'shared' },
      appRelease: { status: 'deployed' },
    });

    // Act
    const { body } = failureEmail(state, new Date(startedAt), [
      { stackName: 'haven-demo-network', status: 'CREATE_COMPLETE' },
    ]);

    // Assess
    expect(body).toContain(
      '  - haven-demo-network (CREATE_COMPLETE)\n' +
        '  - Helm releases on the cluster shared: django-app\n'
    );
  });

  it('speaks of no release when none was tried on a cluster', () => {
    // Act
    const { body } = failureEmail(
      failed({ cluster: { clusterName: 'shared' } }),
      new Date(startedAt)
    );

    // Assess
    expect(body).not.toContain('Helm releases');
  });

  it('lists the kept stacks with their statuses without rollback', () => {
    // Prepare
    const state = failed({
      request: aRequest({ rollbackOnFailure: false }),
      cleanup: undefined,
    });

    // Act
    const { body } = failureEmail(state, new Date(startedAt), [
      { stackName: 'haven-demo-network', status: 'CREATE_COMPLETE' },
      { stackName: 'haven-demo-data', status: 'CREATE_FAILED' },
    ]);

    // Assess
    expect(body).toContain(
      [
        'The stacks of this attempt were kept for inspection, because the',
        'request set rollbackOnFailure to false:',
        '  - haven-demo-network (CREATE_COMPLETE)',
        '  - haven-demo-data (CREATE_FAILED)',
      ].join('\n')
    );
    expect(body).not.toContain('haven deleted');
  });

  it.each([
    ['kept', false, 'request set rollbackOnFailure to false:'],
    ['deleted', true, 'haven deleted the stacks of this attempt:'],
  ])('says when no stack had been %s', (_case, rollbackOnFailure, heading) => {
    // Act
    const { body } = failureEmail(
      failed({ request: aRequest({ rollbackOnFailure }), cleanup: [] }),
      new Date(startedAt),
      []
    );

    // Assess
    expect(body).toContain(`${heading}\n  - none had been created`);
  });

  it('cuts a long subject to 100 characters', () => {
    // Prepare
    const step = `Check ${'the targets again and again '.repeat(4)}`;

    // Act
    const { subject } = failureEmail(
      failed({ failure: { step } }),
      new Date(startedAt)
    );

    // Assess
    expect(subject).toHaveLength(100);
    expect(subject).toMatch(/^haven: environment demo failed at check the/);
    expect(subject.endsWith('...')).toBe(true);
  });

  it('keeps a subject of exactly 100 characters whole', () => {
    // Prepare: the text before the step is 34 characters.
    const step = 's'.repeat(66);

    // Act
    const { subject } = failureEmail(
      failed({ failure: { step } }),
      new Date(startedAt)
    );

    // Assess
    expect(subject).toBe(`haven: environment demo failed at ${step}`);
    expect(subject).toHaveLength(100);
  });
});

describe('errorMessageOf', () => {
  it.each([
    [undefined, 'no details were given'],
    ['', 'no details were given'],
    ['{"errorType":"E","errorMessage":"it broke"}', 'it broke'],
    ['{"errorType":"E"}', '{"errorType":"E"}'],
    ['{"errorMessage":42}', '{"errorMessage":42}'],
    ['null', 'null'],
    ['Task timed out after 60 seconds', 'Task timed out after 60 seconds'],
    ['{not json', '{not json'],
  ])('reads the cause %j as %j', (cause, message) => {
    // Act
    const result = errorMessageOf(cause);

    // Assess
    expect(result).toBe(message);
  });
});
