import {
  AssociateAccessPolicyCommand,
  type Cluster,
  CreateAccessEntryCommand,
  DescribeAccessEntryCommand,
  DescribeClusterCommand,
  EKSClient,
  ListAssociatedAccessPoliciesCommand,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../../functions/prepare-cluster/handler';
import { awsError, captureLogs } from '../fixtures';

const eks = mockClient(EKSClient);
const savedEnv = { ...process.env };

const helmRole = 'arn:aws:iam::123456789012:role/haven-HelmReleaseRole-ABC';
const adminPolicy =
  'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';
const endpoint = 'https://0F1E2D.gr7.eu-west-1.eks.amazonaws.com';
const event = {
  clusterName: 'shared-platform',
  correlation: { environment: 'demo', executionId: 'exec-1' },
};

function clusterIs(cluster: Partial<Cluster>) {
  eks.on(DescribeClusterCommand, { name: 'shared-platform' }).resolves({
    cluster: {
      name: 'shared-platform',
      arn: 'arn:aws:eks:eu-west-1:123456789012:cluster/shared-platform',
      status: 'ACTIVE',
      version: '1.35',
      endpoint,
      accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
      ...cluster,
    },
  });
}

beforeEach(() => {
  process.env = { ...savedEnv, HELM_ROLE_ARN: helmRole };
  eks.reset();
  clusterIs({});
  eks.on(CreateAccessEntryCommand).resolves({});
  eks.on(ListAssociatedAccessPoliciesCommand).resolves({
    associatedAccessPolicies: [],
  });
  eks.on(AssociateAccessPolicyCommand).resolves({});
  captureLogs();
});

afterEach(() => {
  jest.restoreAllMocks();
});

afterAll(() => {
  process.env = savedEnv;
});

describe('the prepare-cluster handler', () => {
  it('returns the active cluster with its version and endpoint', async () => {
    const result = await handler(event);

    expect(result).toEqual({
      clusterName: 'shared-platform',
      status: 'ACTIVE',
      version: '1.35',
      endpoint,
    });
  });

  it("creates a STANDARD access entry for the Helm function's role", async () => {
    await handler(event);

    expect(eks).toHaveReceivedCommandWith(CreateAccessEntryCommand, {
      clusterName: 'shared-platform',
      principalArn: helmRole,
      type: 'STANDARD',
    });
  });

  it('associates cluster admin at cluster scope', async () => {
    await handler(event);

    expect(eks).toHaveReceivedCommandWith(AssociateAccessPolicyCommand, {
      clusterName: 'shared-platform',
      principalArn: helmRole,
      policyArn: adminPolicy,
      accessScope: { type: 'cluster' },
    });
  });

  it('keeps an existing STANDARD entry and an existing association', async () => {
    eks
      .on(CreateAccessEntryCommand)
      .rejects(awsError('ResourceInUseException', 'already in use'));
    eks.on(DescribeAccessEntryCommand).resolves({
      accessEntry: { principalArn: helmRole, type: 'STANDARD' },
    });
    eks.on(ListAssociatedAccessPoliciesCommand).resolves({
      associatedAccessPolicies: [
        { policyArn: adminPolicy, accessScope: { type: 'cluster' } },
      ],
    });

    const result = await handler(event);

    expect(result.status).toBe('ACTIVE');
    expect(eks).not.toHaveReceivedCommand(AssociateAccessPolicyCommand);
  });

  it('widens an admin association limited to namespaces to the cluster', async () => {
    eks.on(ListAssociatedAccessPoliciesCommand).resolves({
      associatedAccessPolicies: [
        {
          policyArn: adminPolicy,
          accessScope: { type: 'namespace', namespaces: ['demo'] },
        },
      ],
    });

    await handler(event);

    expect(eks).toHaveReceivedCommandWith(AssociateAccessPolicyCommand, {
      accessScope: { type: 'cluster' },
    });
  });

  it('reads every page of associated policies before associating', async () => {
    eks
      .on(ListAssociatedAccessPoliciesCommand)
      .resolvesOnce({
        associatedAccessPolicies: [
          {
            policyArn:
              'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
            accessScope: { type: 'cluster' },
          },
        ],
        nextToken: 'page-2',
      })
      .resolvesOnce({
        associatedAccessPolicies: [
          { policyArn: adminPolicy, accessScope: { type: 'cluster' } },
        ],
      });

    await handler(event);

    expect(eks).toHaveReceivedCommandTimes(
      ListAssociatedAccessPoliciesCommand,
      2
    );
    expect(eks).not.toHaveReceivedCommand(AssociateAccessPolicyCommand);
  });

  it.each(['CREATING', 'UPDATING', 'DELETING', 'FAILED'] as const)(
    'throws ClusterNotActiveError and grants nothing while the cluster is %s',
    async (status) => {
      clusterIs({ status });

      await expect(handler(event)).rejects.toMatchObject({
        name: 'ClusterNotActiveError',
        clusterName: 'shared-platform',
        status,
      });
      expect(eks).not.toHaveReceivedCommand(CreateAccessEntryCommand);
    }
  );

  it('throws ClusterNotFoundError for a cluster that does not exist', async () => {
    eks
      .on(DescribeClusterCommand)
      .rejects(awsError('ResourceNotFoundException', 'No cluster found'));

    await expect(handler(event)).rejects.toMatchObject({
      name: 'ClusterNotFoundError',
      clusterName: 'shared-platform',
      message: expect.stringContaining('check the name in the request'),
    });
  });

  it('throws ClusterAccessError for a cluster that knows only aws-auth', async () => {
    clusterIs({ accessConfig: { authenticationMode: 'CONFIG_MAP' } });

    await expect(handler(event)).rejects.toMatchObject({
      name: 'ClusterAccessError',
      message: expect.stringContaining('API_AND_CONFIG_MAP'),
    });
    expect(eks).not.toHaveReceivedCommand(CreateAccessEntryCommand);
  });

  it('throws ClusterAccessError when the role has an entry of another type', async () => {
    eks
      .on(CreateAccessEntryCommand)
      .rejects(awsError('ResourceInUseException', 'already in use'));
    eks.on(DescribeAccessEntryCommand).resolves({
      accessEntry: { principalArn: helmRole, type: 'EC2_LINUX' },
    });

    await expect(handler(event)).rejects.toMatchObject({
      name: 'ClusterAccessError',
      message: expect.stringContaining('type EC2_LINUX'),
    });
  });

  it('rethrows other EKS errors untouched, for the Retry to see', async () => {
    const throttled = awsError('ThrottlingException', 'Rate exceeded');
    eks.on(CreateAccessEntryCommand).rejects(throttled);

    await expect(handler(event)).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
  });

  it('uses the partition of the cluster in the policy ARN', async () => {
    clusterIs({
      arn: 'arn:aws-cn:eks:cn-north-1:123456789012:cluster/shared-platform',
    });

    await handler(event);

    expect(eks).toHaveReceivedCommandWith(AssociateAccessPolicyCommand, {
      policyArn:
        'arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
    });
  });

  it('warns about a version outside what kubectl 1.35 supports', async () => {
    const logs = captureLogs();
    clusterIs({ version: '1.30' });

    await handler(event);

    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'cluster version outside kubectl support',
        version: '1.30',
      })
    );
  });

  it('rejects an event with unknown fields, naming them', async () => {
    await expect(
      handler({ ...event, namespace: 'demo' } as typeof event)
    ).rejects.toMatchObject({ name: 'RequestValidationError' });
  });
});
