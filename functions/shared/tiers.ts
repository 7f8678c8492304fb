import type { Tag } from '@aws-sdk/client-cloudformation';
import type { EnvironmentRequest } from './request';

/** The three CloudFormation tiers, in the order they are created. */
export const tiers = ['network', 'data', 'compute'] as const;

export type Tier = (typeof tiers)[number];

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
  }
}
