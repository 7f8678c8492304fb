import {
  CloudFormationClient,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeAccessEntryCommand,
  EKSClient,
  ListAssociatedAccessPoliciesCommand,
} from '@aws-sdk/client-eks';
import { prepareNamedCluster } from '../../local/eks-stand-ins';
import { localResources, provisionLocally } from '../../local/provision';
import type { EventLog } from '../../local/workflow';
import { fakeTools } from '../functions/helm-release/fake-tools';
import { useEmulator } from '../support/emulator';

/**
 * The provisioning workflow for an environment that also runs on an EKS
 * cluster the team names, against the emulator.
 *
 * What the emulator cannot show: it has no Kubernetes API behind its
 * clusters, so helm and kubectl are recording fakes here (the real helm
 * renders and lints the charts in tests/charts). EKS access entries are
 * kept by local/moto_server.py, as EKS keeps them. A cluster haven creates
 * itself cannot be built on the emulator at all (it skips every EKS type of
 * CloudFormation); templates/eks.yaml is checked on the template.
 */

useEmulator();

const tools = fakeTools();

function statesEntered(events: EventLog[]): string[] {
  return events
    .filter((event) => event.type === 'StateEntered')
    .map((event) => (event as { state: { name: string } }).state.name);
}

describe('provision state machine on a named EKS cluster', () => {
  let result: Awaited<ReturnType<typeof provisionLocally>>;
  let nodeGroupId: string;

  beforeAll(async () => {
    tools.answer({});
    const cluster = await prepareNamedCluster({
      name: 'shared',
      nodeSecurityGroupId: 'sg-0123456789abcdef0',
    });
    nodeGroupId = cluster.nodeSecurityGroupId;

    result = await provisionLocally({
      request: {
        name: 'kube',
        notificationEmail: 'team-kube@example.com',
        app: { repository: 'https://git.example.com/team/app.git' },
        eks: {
          cluster: { name: 'shared', nodeSecurityGroupId: nodeGroupId },
          namespace: 'team-kube',
          image: { repository: 'registry.example.com/team/app', tag: '1.4.2' },
        },
      },
      environment: tools.env,
      logSink: () => undefined,
    });
  });

  it('succeeds', () => {
    expect(result.execution.cause).toBeUndefined();
    expect(result.execution.status).toBe('SUCCEEDED');
  });

  it('installs the releases while the compute stack is built', () => {
    const names = statesEntered(result.execution.events);
    const at = (name: string) => names.indexOf(name);

    expect(at('Create the compute stack')).toBeLessThan(
      at('Check the named cluster is active')
    );
    expect(at('Install the monitoring release')).toBeLessThan(
      at('Check the compute stack')
    );
    expect(at('Check the named cluster is active')).toBeLessThan(
      at('Install the app release')
    );
    expect(at('Install the app release')).toBeLessThan(
      at('Install the monitoring release')
    );
    expect(names).not.toContain('Start creating the cluster stack');
  });

  it("gives haven's Helm role cluster admin on the named cluster", async () => {
    const eks = new EKSClient({});
    const principalArn = localResources.HelmReleaseRole;
    const { accessEntry } = await eks.send(
      new DescribeAccessEntryCommand({ clusterName: 'shared', principalArn })
    );
    const { associatedAccessPolicies = [] } = await eks.send(
      new ListAssociatedAccessPoliciesCommand({
        clusterName: 'shared',
        principalArn,
      })
    );

    expect(accessEntry?.type).toBe('STANDARD');
    expect(associatedAccessPolicies.map((p) => p.policyArn)).toEqual([
      'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
    ]);
  });

  it("admits the cluster's nodes to the database on 5432", async () => {
    const { Stacks = [] } = await new CloudFormationClient({}).send(
      new DescribeStacksCommand({ StackName: 'haven-kube-network' })
    );
    const databaseGroup = Stacks[0]?.Outputs?.find(
      (o) => o.OutputKey === 'DatabaseSecurityGroupId'
    )?.OutputValue;
    const { SecurityGroups = [] } = await new EC2Client({}).send(
      new DescribeSecurityGroupsCommand({ GroupIds: [databaseGroup ?? ''] })
    );
    const sources = (SecurityGroups[0]?.IpPermissions ?? [])
      .filter((rule) => rule.FromPort === 5432)
      .flatMap((rule) => rule.UserIdGroupPairs ?? [])
      .map((pair) => pair.GroupId);

    expect(sources).toContain(nodeGroupId);
  });

  it('installs the app with the request and the data tier in its values', () => {
    const upgrades = tools.calls().filter((c) => c.argv[0] === 'upgrade');
    const app = upgrades.find((c) => c.argv[1] === 'django-app');
    const values = JSON.parse(app?.values ?? '{}') as {
      image: { repository: string; tag: string };
      django: { mediaBucket: string };
      autoscaling: { minReplicas: number; maxReplicas: number };
    };

    expect(upgrades.map((c) => c.argv[1])).toEqual([
      'django-app',
      'monitoring',
    ]);
    expect(app?.argv).toEqual(
      expect.arrayContaining(['--install', '--namespace', 'team-kube'])
    );
    expect(values.image).toEqual({
      repository: 'registry.example.com/team/app',
      tag: '1.4.2',
    });
    expect(values.django.mediaBucket).toBe('kube-django-static-123456789012');
    expect(values.autoscaling).toMatchObject({
      minReplicas: 2,
      maxReplicas: 5,
    });
  });

  it("hands the database's credentials to the cluster on stdin only", () => {
    const applies = tools.kubectlCalls().filter((c) => c.argv[0] === 'apply');
    const secret = applies
      .map((c) => JSON.parse(c.stdin) as { kind: string; stringData?: object })
      .find((manifest) => manifest.kind === 'Secret') as
      | { data?: Record<string, string>; stringData?: Record<string, string> }
      | undefined;
    const fields = secret?.stringData ?? secret?.data ?? {};
    const everyArgv = [...tools.calls(), ...tools.kubectlCalls()]
      .flatMap((c) => c.argv)
      .join(' ');

    expect(Object.keys(fields)).toEqual(
      expect.arrayContaining(['host', 'port', 'username', 'password'])
    );
    expect(everyArgv).not.toMatch(/password/i);
  });

  it('emails the app address and how to reach Grafana', () => {
    const [email] = result.emails;

    expect(email?.subject).toBe('haven: environment kube is ready');
    expect(email?.body).toContain('EKS cluster:    shared');
    expect(email?.body).toContain(
      'EKS app:        http://abc-123.us-east-1.elb.amazonaws.com:8000/'
    );
    expect(email?.body).toMatch(/Grafana: +kubectl port-forward -n monitoring/);
  });
});
