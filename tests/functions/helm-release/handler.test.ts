import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { HelmReleaseEvent } from '../../../functions/helm-release/event';
import {
  handler,
  helmTimeoutSeconds,
} from '../../../functions/helm-release/handler';
import { helmPath } from '../../support/helm';
import { fakeTools } from './fake-tools';

const eks = mockClient(EKSClient);
const tools = fakeTools();
const savedEnv = { ...process.env };

const endpoint = 'https://ABC123.gr7.us-east-1.eks.amazonaws.com';
const secretValue = 'pa55-in-values-only';

const installApp: HelmReleaseEvent = {
  action: 'install',
  clusterName: 'demo-eks',
  release: 'django-app',
  chart: 'django-app',
  namespace: 'django-app',
  values: {
    environmentName: 'demo',
    database: { localSecret: { password: secretValue } },
  },
  correlation: { environment: 'demo', executionId: 'exec-1' },
};

const kubeArgs = (namespace: string) => [
  '--namespace',
  namespace,
  '--kubeconfig',
  expect.stringMatching(/\/helm-release-[^/]+\/kubeconfig$/),
];

beforeEach(() => {
  process.env = {
    ...savedEnv,
    ...tools.env,
    CHARTS_DIR: '/charts',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
  eks.reset();
  eks.on(DescribeClusterCommand).resolves({
    cluster: {
      name: 'demo-eks',
      status: 'ACTIVE',
      endpoint,
      certificateAuthority: { data: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t' },
    },
  });
  tools.answer({});
});

afterAll(() => {
  process.env = savedEnv;
  rmSync(tools.dir, { recursive: true, force: true });
});

describe('the helm-release handler', () => {
  it('installs with upgrade --install, waiting and rolling back on failure', async () => {
    const result = await handler(installApp);
    const calls = tools.calls();

    expect(calls.map((c) => c.argv[0])).toEqual(['status', 'upgrade']);
    expect(calls[1]?.argv).toEqual([
      'upgrade',
      'django-app',
      '/charts/django-app',
      '--install',
      '--create-namespace',
      '--wait=watcher',
      '--rollback-on-failure',
      '--timeout',
      '420s',
      '--values',
      expect.stringMatching(/\/values\.json$/),
      '--output',
      'json',
      ...kubeArgs('django-app'),
    ]);
    expect(result).toEqual({
      action: 'install',
      release: 'django-app',
      namespace: 'django-app',
      chart: 'django-app',
      status: 'deployed',
      revision: 1,
      address: 'http://abc-123.us-east-1.elb.amazonaws.com:8000/',
    });
  });

  it('hands helm a kubeconfig for the cluster with a fresh EKS token', async () => {
    await handler(installApp);
    const config = JSON.parse(tools.calls()[1]?.kubeconfig ?? '{}');

    expect(eks).toHaveReceivedCommandWith(DescribeClusterCommand, {
      name: 'demo-eks',
    });
    expect(config.clusters[0].cluster).toEqual({
      server: endpoint,
      'certificate-authority-data': 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t',
    });
    expect(config.users[0].user.token).toMatch(/^k8s-aws-v1\.[\w-]+$/);
    expect(config['current-context']).toBe('demo-eks');
  });

  it('passes the values in a file and keeps secrets off the command line', async () => {
    await handler(installApp);
    const calls = tools.calls();

    expect(JSON.parse(calls[1]?.values ?? '{}')).toEqual(installApp.values);
    for (const call of calls) {
      expect(call.argv.join(' ')).not.toContain(secretValue);
      expect(call.argv.join(' ')).not.toContain('k8s-aws-v1.');
      expect(call.argv).not.toContain('--set');
      // helm authenticates with the token; it gets no AWS keys.
      expect(call.awsEnv).not.toContain('AWS_SECRET_ACCESS_KEY');
    }
  });

  it('removes the kubeconfig and the values file when it ends', async () => {
    await handler(installApp);
    const upgrade = tools.calls()[1]?.argv ?? [];
    const valuesPath = upgrade[upgrade.indexOf('--values') + 1] as string;

    expect(existsSync(valuesPath)).toBe(false);
  });

  it('removes a first install left pending before installing again', async () => {
    tools.answer({ status: 'pending-install' });
    await handler(installApp);
    const calls = tools.calls();

    expect(calls.map((c) => c.argv[0])).toEqual([
      'status',
      'uninstall',
      'upgrade',
    ]);
    expect(calls[1]?.argv).toEqual([
      'uninstall',
      'django-app',
      '--wait=watcher',
      '--timeout',
      '420s',
      ...kubeArgs('django-app'),
    ]);
  });

  it.each(['pending-upgrade', 'pending-rollback'])(
    'rolls a release left %s back before upgrading',
    async (status) => {
      tools.answer({ status });
      await handler(installApp);
      const calls = tools.calls();

      expect(calls.map((c) => c.argv[0])).toEqual([
        'status',
        'rollback',
        'upgrade',
      ]);
      expect(calls[1]?.argv.slice(0, 2)).toEqual(['rollback', 'django-app']);
    }
  );

  it('upgrades a deployed release without repairing anything', async () => {
    tools.answer({ status: 'deployed' });
    await handler(installApp);

    expect(tools.calls().map((c) => c.argv[0])).toEqual(['status', 'upgrade']);
  });

  it('throws HelmReleasePendingError while another operation holds the release', async () => {
    tools.answer({
      upgrade: {
        code: 1,
        stderr:
          'Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress\n',
      },
    });

    await expect(handler(installApp)).rejects.toMatchObject({
      name: 'HelmReleasePendingError',
      release: 'django-app',
    });
  });

  it('throws HelmReleaseFailedError with helm message on other failures', async () => {
    tools.answer({
      upgrade: {
        code: 1,
        stderr:
          'Error: release django-app failed, and has been rolled back due ' +
          'to rollback-on-failure being set: context deadline exceeded\n',
      },
    });

    await expect(handler(installApp)).rejects.toMatchObject({
      name: 'HelmReleaseFailedError',
      helmCommand: 'upgrade',
      exitCode: 1,
      message: expect.stringContaining('context deadline exceeded'),
    });
  });

  it('throws ClusterNotActiveError and runs no helm before the cluster is ACTIVE', async () => {
    eks.on(DescribeClusterCommand).resolves({
      cluster: { name: 'demo-eks', status: 'CREATING' },
    });

    await expect(handler(installApp)).rejects.toMatchObject({
      name: 'ClusterNotActiveError',
      status: 'CREATING',
    });
    expect(tools.calls()).toEqual([]);
  });

  it('tells how to reach Grafana and where its password is', async () => {
    const result = await handler({
      ...installApp,
      release: 'monitoring',
      chart: 'monitoring',
      namespace: 'monitoring',
      values: {},
    });

    expect(result).toMatchObject({
      status: 'deployed',
      access: expect.stringContaining(
        'kubectl port-forward -n monitoring svc/monitoring-grafana 3000:3000'
      ),
      passwordSecret: 'monitoring-grafana',
    });
    expect(tools.calls()[1]?.argv[2]).toBe('/charts/monitoring');
  });

  it('uninstalls with a wait and without failing on a missing release', async () => {
    const result = await handler({ ...installApp, action: 'uninstall' });

    expect(tools.calls().map((c) => c.argv)).toEqual([
      [
        'uninstall',
        'django-app',
        '--wait=watcher',
        '--timeout',
        '420s',
        '--ignore-not-found',
        ...kubeArgs('django-app'),
      ],
    ]);
    expect(result.status).toBe('uninstalled');
  });

  it('rejects an event with an unknown chart, naming the field', async () => {
    await expect(
      handler({ ...installApp, chart: 'wordpress' as 'django-app' })
    ).rejects.toMatchObject({
      name: 'RequestValidationError',
      problems: [expect.objectContaining({ field: 'chart' })],
    });
  });
});

describe('helmTimeoutSeconds', () => {
  it.each([
    // Remaining ms, requested s, expected s: (remaining - 60 s) / 2 at most.
    [900_000, undefined, 420],
    [900_000, 300, 300],
    [600_000, 600, 270],
  ])('leaves the margin with %i ms left and %p asked', (ms, asked, seconds) => {
    expect(helmTimeoutSeconds('r', asked, ms)).toBe(seconds);
  });

  it('refuses when too little time is left to wait', () => {
    expect(() => helmTimeoutSeconds('r', 600, 150_000)).toThrow(
      expect.objectContaining({ name: 'HelmReleasePendingError' })
    );
  });
});

describe('the layer helm', () => {
  it.each([
    [
      'upgrade',
      [
        '--install',
        '--create-namespace',
        '--wait',
        '--rollback-on-failure',
        '--timeout',
        '--values',
        '--output',
      ],
    ],
    ['uninstall', ['--wait', '--timeout', '--ignore-not-found']],
    ['rollback', ['--wait', '--timeout']],
    ['status', ['--output']],
  ])('accepts the flags the handler passes to %s', (command, flags) => {
    const help = spawnSync(helmPath(), [command, '--help'], {
      encoding: 'utf8',
    }).stdout;

    for (const flag of [...flags, '--namespace', '--kubeconfig']) {
      expect(help).toMatch(new RegExp(`${flag}\\b`));
    }
  });

  it('accepts watcher as a wait strategy', () => {
    const help = spawnSync(helmPath(), ['upgrade', '--help'], {
      encoding: 'utf8',
    }).stdout;

    expect(help).toContain("'watcher'");
  });
});
