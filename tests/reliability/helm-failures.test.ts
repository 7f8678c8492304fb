import { prepareNamedCluster } from '../../local/eks-stand-ins';
import { provisionLocally } from '../../local/provision';
import { fakeTools } from '../functions/helm-release/fake-tools';
import { useFaultyAws } from '../support/fault-proxy';
import { leftoversIn, requestFor, statesEntered } from '../support/leftovers';

/**
 * A Helm release that fails on a cluster the team named. helm is a
 * recording fake (the emulator has no Kubernetes API behind its clusters);
 * it fails `helm upgrade` as Helm 4 does with --rollback-on-failure: exit
 * 1, with the release already rolled back by helm itself.
 */

const aws = useFaultyAws();

const tools = fakeTools();

const helmStderr =
  'Error: UPGRADE FAILED: release django-app failed, and has been rolled ' +
  'back due to rollback-on-failure being set: resource Deployment/' +
  'team-helm/django-app not ready. status: InProgress, message: ' +
  'Available: 0/2\n';

/**
 * The team's cluster and its nodes' security group, on the emulator, made
 * as the local run makes them; a group is made for the absent id.
 */
async function namedCluster(): Promise<string> {
  const cluster = await prepareNamedCluster({
    name: 'shared',
    nodeSecurityGroupId: 'sg-0123456789abcdef0',
  });

  return cluster.nodeSecurityGroupId;
}

const unreachable =
  'Error: Kubernetes cluster unreachable: Get "https://ABC.gr7.us-east-1.' +
  'eks.amazonaws.com/version": dial tcp 10.0.1.5:443: i/o timeout\n';

async function provisionWithFailingHelm(
  name: string,
  rollbackOnFailure: boolean,
  uninstall?: { code: number; stderr: string }
) {
  const nodeSecurityGroupId = await namedCluster();
  tools.answer({ upgrade: { code: 1, stderr: helmStderr }, uninstall });

  const run = await provisionLocally({
    request: requestFor(name, {
      rollbackOnFailure,
      eks: {
        cluster: { name: 'shared', nodeSecurityGroupId },
        namespace: 'team-helm',
      },
    }),
    environment: tools.env,
    logSink: () => undefined,
  });

  // Read now: the emulator is emptied before each test.
  return { ...run, left: await leftoversIn(aws().emulator.endpoint) };
}

function helmCalls(subcommand: string): string[][] {
  return tools
    .calls()
    .filter((call) => call.argv[0] === subcommand)
    .map((call) => call.argv);
}

describe('a Helm release that fails', () => {
  describe('with rollback on', () => {
    let result: Awaited<ReturnType<typeof provisionWithFailingHelm>>;

    beforeAll(async () => {
      result = await provisionWithFailingHelm('helm-undo', true);
    });

    it('fails the execution with HelmReleaseFailedError', () => {
      expect(result.execution.status).toBe('FAILED');
      expect(result.execution.error).toBe('HelmReleaseFailedError');
      expect(result.execution.cause).toContain('UPGRADE FAILED');
    });

    it('does not retry an upgrade that helm already rolled back', () => {
      expect(helmCalls('upgrade').map((argv) => argv[1])).toEqual([
        'django-app',
      ]);
      expect(helmCalls('upgrade')[0]).toContain('--rollback-on-failure');
    });

    it('emails the failed step and the reason helm gave', () => {
      const body = result.emails[0]?.body ?? '';

      expect(result.emails[0]?.subject).toBe(
        'haven: environment helm-undo failed at install the helm releases'
      );
      expect(body).toMatch(/Failed step: +Install the Helm releases/);
      expect(body).toMatch(/Error type: +HelmReleaseFailedError/);
      expect(body).toContain(
        'helm upgrade of the release django-app failed (exit 1)'
      );
      expect(body).toContain('resource Deployment/team-helm/django-app');
      expect(body).toContain(
        'Helm releases of this attempt on the cluster shared:\n' +
          '  - django-app: uninstalled\n' +
          '  - monitoring: uninstalled\n' +
          'haven deleted the stacks of this attempt:\n' +
          '  - haven-helm-undo-compute: deleted\n' +
          '  - haven-helm-undo-data: deleted\n' +
          '  - haven-helm-undo-network: deleted'
      );
    });

    it('uninstalls both releases from the named cluster', () => {
      const uninstalls = tools
        .calls()
        .filter((call) => call.argv[0] === 'uninstall');

      expect(uninstalls.map((call) => call.argv[1])).toEqual([
        'django-app',
        'monitoring',
      ]);
      expect(uninstalls[0]?.argv).toEqual(
        expect.arrayContaining(['--namespace', 'team-helm'])
      );
      for (const call of uninstalls) {
        expect(call.kubeconfig).toContain('shared');
      }
      const deletes = tools
        .kubectlCalls()
        .filter((call) => call.argv[0] === 'delete')
        .map((call) => call.argv.join(' '));
      expect(deletes.join('\n')).toMatch(/secret.*django-app-database/i);
    });

    it('leaves nothing of the environment but its topic', () => {
      expect(statesEntered(result.execution.events)).toContain(
        'Delete the stacks of this attempt'
      );
      expect(result.left).toEqual({
        stacks: [],
        databases: [],
        snapshots: [],
        buckets: [],
        topics: ['haven-helm-undo-notifications'],
      });
    });
  });

  describe('with rollback on and a cluster that does not answer', () => {
    let result: Awaited<ReturnType<typeof provisionWithFailingHelm>>;

    beforeAll(async () => {
      result = await provisionWithFailingHelm('helm-stuck', true, {
        code: 1,
        stderr: unreachable,
      });
    });

    it('names each release left on the cluster, with why', () => {
      const body = result.emails[0]?.body ?? '';

      expect(result.execution.error).toBe('HelmReleaseFailedError');
      expect(body).toContain(
        '  - django-app: left installed (helm uninstall of the release ' +
          'django-app failed (exit 1): Error: Kubernetes cluster unreachable'
      );
      expect(body).toMatch(/ {2}- monitoring: left installed \(helm uninst/);
    });

    it('still deletes the stacks', () => {
      expect(result.left.stacks).toEqual([]);
      expect(result.emails[0]?.body).toContain(
        '  - haven-helm-stuck-network: deleted'
      );
    });
  });

  describe('with rollback off', () => {
    let result: Awaited<ReturnType<typeof provisionWithFailingHelm>>;

    beforeAll(async () => {
      result = await provisionWithFailingHelm('helm-kept', false);
    });

    it('fails the execution with HelmReleaseFailedError', () => {
      expect(result.execution.error).toBe('HelmReleaseFailedError');
    });

    it('uninstalls nothing and keeps every stack', () => {
      const { left } = result;

      expect(helmCalls('uninstall')).toEqual([]);
      expect(left.stacks).toEqual([
        'haven-helm-kept-compute CREATE_COMPLETE',
        'haven-helm-kept-data CREATE_COMPLETE',
        'haven-helm-kept-network CREATE_COMPLETE',
      ]);
      expect(left.databases).toEqual(['helm-kept-postgres']);
    });

    it('emails that the stacks were kept, each with its status', () => {
      const body = result.emails[0]?.body ?? '';

      expect(body).toMatch(/Failed step: +Install the Helm releases/);
      expect(body).toContain('UPGRADE FAILED');
      expect(body).toContain(
        'The stacks of this attempt were kept for inspection, because the\n' +
          'request set rollbackOnFailure to false:'
      );
      expect(body).toContain('  - haven-helm-kept-network (CREATE_COMPLETE)');
      expect(body).toContain('  - haven-helm-kept-data (CREATE_COMPLETE)');
      expect(body).toContain('  - haven-helm-kept-compute (CREATE_COMPLETE)');
    });
  });
});
