import type { Tag } from '@aws-sdk/client-cloudformation';
import type { EnvironmentRequest } from './request';

/** The three CloudFormation tiers every environment has, in order. */
export const tiers = ['network', 'data', 'compute'] as const;

/** A tier of an environment: the three above, and its own EKS cluster. */
export type Tier = (typeof tiers)[number] | 'eks';

/**
 * The tiers of one environment in the order they are deleted: the cluster
 * first (it uses the network and the database's security group), then the
 * three tiers in reverse.
 */
export function teardownTiersOf(request: EnvironmentRequest): Tier[] {
  const own: Tier[] = request.eks?.mode === 'create' ? ['eks'] : [];

  return [...own, ...[...tiers].reverse()];
}

/** How the environment's stacks are named: `haven-<environment>-<tier>`. */
export function stackNameOf(environment: string, tier: Tier): string {
  return `haven-${environment}-${tier}`;
}

/** The tags every stack, and through it every resource, carries. */
export function stackTags(request: EnvironmentRequest): Tag[] {
  const own = Object.entries(request.tags).map(([Key, Value]) => ({
    Key,
    Value,
  }));

  return [
    ...own,
    { Key: 'haven:environment', Value: request.name },
    { Key: 'haven:owner', Value: request.owner },
    { Key: 'haven:managed-by', Value: 'haven' },
  ];
}

/**
 * The parameters each tier takes from the request itself. What a tier takes
 * from the tiers before it, the state machine passes explicitly.
 */
export function requestParameters(
  tier: Tier,
  request: EnvironmentRequest
): Record<string, string> {
  const common = { EnvironmentName: request.name, Owner: request.owner };
  const { sizes, app } = request;

  switch (tier) {
    case 'network':
      return {
        ...common,
        SingleNatGateway: String(request.singleNatGateway),
      };
    case 'data':
      return {
        ...common,
        DBInstanceClass: sizes.dbInstanceClass,
        DBAllocatedStorage: String(sizes.dbAllocatedStorage),
        Production: String(request.production),
        ClusterSecurityGroupId: request.eks?.nodeSecurityGroupId ?? '',
      };
    case 'compute':
      return {
        ...common,
        NotificationEmail: request.notificationEmail,
        InstanceType: sizes.instanceType,
        MinSize: String(sizes.minSize),
        DesiredCapacity: String(sizes.desiredCapacity),
        MaxSize: String(sizes.maxSize),
        CertificateArn: request.certificateArn ?? '',
        AppRepository: app.repository,
        AppRef: app.ref,
        AppDirectory: app.directory,
        PermissionsBoundaryArn: process.env.PERMISSIONS_BOUNDARY_ARN ?? '',
      };
    case 'eks':
      return eksParameters(request, common);
  }
}

function eksParameters(
  request: EnvironmentRequest,
  common: { EnvironmentName: string; Owner: string }
): Record<string, string> {
  const eks = request.eks;
  if (!eks) throw new Error(`${request.name} asks for no EKS cluster`);

  return {
    ...common,
    KubernetesVersion: eks.kubernetesVersion,
    NodeInstanceType: eks.nodes.instanceType,
    NodeMin: String(eks.nodes.min),
    NodeDesired: String(eks.nodes.desired),
    NodeMax: String(eks.nodes.max),
    HelmFunctionRoleArn: process.env.HELM_FUNCTION_ROLE_ARN ?? '',
    // The cluster's and nodes' roles need EKS, CNI and load balancer rights
    // the app's boundary leaves out, so they are bounded by their own.
    PermissionsBoundaryArn: process.env.EKS_PERMISSIONS_BOUNDARY_ARN ?? '',
  };
}
