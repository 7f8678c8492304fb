import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CloudFormationClient,
  paginateListStacks,
} from '@aws-sdk/client-cloudformation';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { stackNameOf, tiers } from '../functions/shared/tiers';

/**
 * What of one environment an account holds, read from the services
 * themselves rather than from haven's record: what a teardown must leave
 * none of, and what it must leave untouched for every other environment.
 */
export interface EnvironmentResources {
  /** `<stack name> <status>`, deleted stacks left out. */
  stacks: string[];
  /** VPC ids tagged `haven:environment` with the name. */
  vpcs: string[];
  databases: string[];
  loadBalancers: string[];
  autoScalingGroups: string[];
  /** SSM parameters under `/haven/<name>/`. */
  parameters: string[];
}

type Tag = { Key?: string; Value?: string };

const tagKey = 'haven:environment';

function taggedWith(name: string, tags: Tag[] = []): boolean {
  return tags.some((tag) => tag.Key === tagKey && tag.Value === name);
}

async function stacksOf(name: string): Promise<string[]> {
  const names = new Set<string>(
    [...tiers, 'eks' as const].map((tier) => stackNameOf(name, tier))
  );
  const found: string[] = [];
  for await (const page of paginateListStacks(
    { client: new CloudFormationClient({}) },
    {}
  )) {
    for (const stack of page.StackSummaries ?? []) {
      const isOurs = names.has(stack.StackName ?? '');
      if (isOurs && stack.StackStatus !== 'DELETE_COMPLETE') {
        found.push(`${stack.StackName} ${stack.StackStatus}`);
      }
    }
  }

  return found.sort();
}

async function vpcsOf(name: string): Promise<string[]> {
  const { Vpcs = [] } = await new EC2Client({}).send(
    new DescribeVpcsCommand({
      Filters: [{ Name: `tag:${tagKey}`, Values: [name] }],
    })
  );

  return Vpcs.map((vpc) => vpc.VpcId ?? '').sort();
}

async function databasesOf(name: string): Promise<string[]> {
  const { DBInstances = [] } = await new RDSClient({}).send(
    new DescribeDBInstancesCommand({})
  );

  return DBInstances.filter(
    (db) =>
      db.DBInstanceIdentifier === `${name}-postgres` ||
      taggedWith(name, db.TagList)
  )
    .map((db) => `${db.DBInstanceIdentifier} ${db.DBInstanceStatus}`)
    .sort();
}

async function loadBalancersOf(name: string): Promise<string[]> {
  const { LoadBalancers = [] } = await new ElasticLoadBalancingV2Client(
    {}
  ).send(new DescribeLoadBalancersCommand({}));

  // The compute tier names its load balancer `<name>-alb`.
  return LoadBalancers.map((lb) => lb.LoadBalancerName ?? '')
    .filter((lbName) => lbName === `${name}-alb`)
    .sort();
}

async function autoScalingGroupsOf(name: string): Promise<string[]> {
  const { AutoScalingGroups = [] } = await new AutoScalingClient({}).send(
    new DescribeAutoScalingGroupsCommand({})
  );

  return AutoScalingGroups.filter(
    (group) =>
      group.AutoScalingGroupName === `${name}-app` ||
      taggedWith(name, group.Tags)
  )
    .map((group) => group.AutoScalingGroupName ?? '')
    .sort();
}

async function parametersOf(name: string): Promise<string[]> {
  const ssm = new SSMClient({});
  const found: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ssm.send(
      new GetParametersByPathCommand({
        Path: `/haven/${name}/`,
        Recursive: true,
        NextToken,
      })
    );
    found.push(...(page.Parameters ?? []).map((p) => p.Name ?? ''));
    NextToken = page.NextToken;
  } while (NextToken);

  return found.sort();
}

/**
 * Lists the stacks, VPCs, databases, load balancers, Auto Scaling groups
 * and SSM parameters of the environment `name` in the account the AWS SDK
 * points at.
 */
export async function environmentResources(
  name: string
): Promise<EnvironmentResources> {
  const [
    stacks,
    vpcs,
    databases,
    loadBalancers,
    autoScalingGroups,
    parameters,
  ] = await Promise.all([
    stacksOf(name),
    vpcsOf(name),
    databasesOf(name),
    loadBalancersOf(name),
    autoScalingGroupsOf(name),
    parametersOf(name),
  ]);

  return {
    stacks,
    vpcs,
    databases,
    loadBalancers,
    autoScalingGroups,
    parameters,
  };
}

/** Every resource listed, as `kind: id` lines; none for an empty account. */
export function linesOf(resources: EnvironmentResources): string[] {
  return Object.entries(resources).flatMap(([kind, ids]) =>
    (ids as string[]).map((id) => `${kind}: ${id}`)
  );
}
