import type { EnvironmentRequest } from '../shared/request';
import {
  requestParameters,
  stackNameOf,
  type Tier,
  tiers,
} from '../shared/tiers';

/** One stack the provisioning would create, in order. */
export interface PlannedStack {
  tier: Tier;
  stackName: string;
  /** What the stack takes from the request; the rest comes from the tiers before it. */
  parameters: Record<string, string>;
}

/** What a provisioning of this request would create, in order. */
export interface Plan {
  stacks: PlannedStack[];
  /**
   * Helm releases installed after the stacks. Empty while requests cannot
   * ask for an EKS cluster; the EKS tier fills it in.
   */
  helmReleases: { name: string; chart: string }[];
}

/** The stacks, in creation order, with the parameters the request gives them. */
export function planOf(request: EnvironmentRequest): Plan {
  return {
    stacks: tiers.map((tier) => ({
      tier,
      stackName: stackNameOf(request.name, tier),
      parameters: requestParameters(tier, request),
    })),
    helmReleases: [],
  };
}
