import { startLocalApi } from '../../local/api';
import { prepareNamedCluster } from '../../local/eks-stand-ins';
import { fakeTools } from '../functions/helm-release/fake-tools';
import { useEmulator } from '../support/emulator';

/**
 * Provisioning then teardown of an environment on a named EKS cluster,
 * through the API, on the emulator. helm and kubectl are recording fakes:
 * the emulator has no Kubernetes API behind its clusters.
 */

useEmulator();

const tools = fakeTools();
const owner = { userArn: 'arn:aws:iam::123456789012:role/team-kube' };

describe('teardown state machine on a named EKS cluster', () => {
  let uninstalls: string[][];

  beforeAll(async () => {
    tools.answer({ status: 'deployed' });
    const { nodeSecurityGroupId: GroupId } = await prepareNamedCluster({
      name: 'shared',
      nodeSecurityGroupId: 'sg-0123456789abcdef0',
    });

    const api = await startLocalApi({
      environment: tools.env,
      logSink: () => undefined,
    });
    await api.request({
      method: 'POST',
      path: '/environments',
      caller: owner,
      body: {
        name: 'kubegone',
        notificationEmail: 'team-kube@example.com',
        app: { repository: 'https://git.example.com/team/app.git' },
        eks: {
          cluster: { name: 'shared', nodeSecurityGroupId: GroupId },
          namespace: 'team-kube',
        },
      },
    });
    await api.runStarted();
    tools.answer({ status: 'deployed' });

    await api.request({
      method: 'DELETE',
      path: '/environments/kubegone',
      caller: owner,
    });
    await api.runStarted();
    uninstalls = tools
      .calls()
      .filter((call) => call.argv[0] === 'uninstall')
      .map((call) => call.argv);
  });

  it('uninstalls monitoring, then the app, from the named cluster', () => {
    expect(uninstalls.map((argv) => argv[1])).toEqual([
      'monitoring',
      'django-app',
    ]);
    expect(uninstalls[1]).toEqual(
      expect.arrayContaining(['--namespace', 'team-kube'])
    );
  });

  it("removes the Secret that held the database's credentials", () => {
    const deletes = tools
      .kubectlCalls()
      .filter((call) => call.argv[0] === 'delete')
      .map((call) => call.argv.join(' '));

    expect(deletes.join('\n')).toMatch(/secret.*django-app-database/i);
  });
});
