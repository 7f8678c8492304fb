import { readTemplate } from '../local/cfn-yaml';
import { repoRoot } from '../local/emulator';

/**
 * The latency model of AWS the benchmark runs against: how long each kind
 * of resource takes to create, how long an API call takes, and how long
 * the things haven waits for after a stack (a database's standby, healthy
 * targets, Helm rollouts) take. Every figure names its source; where no
 * one publishes a figure, it says so and the figure is an assumption.
 * Figures were chosen in December 2026.
 */

/** A duration in seconds of AWS time, with where it comes from. */
export interface Modelled {
  seconds: number;
  source: string;
}

const assumption = 'assumption: AWS publishes no creation time';

/** Seconds CloudFormation takes to create one resource of each type. */
export const resourceSeconds: Record<string, Modelled> = {
  'AWS::EC2::VPC': { seconds: 15, source: assumption },
  'AWS::EC2::InternetGateway': { seconds: 10, source: assumption },
  'AWS::EC2::VPCGatewayAttachment': { seconds: 15, source: assumption },
  'AWS::EC2::Subnet': { seconds: 10, source: assumption },
  'AWS::EC2::RouteTable': { seconds: 5, source: assumption },
  'AWS::EC2::Route': { seconds: 5, source: assumption },
  'AWS::EC2::SubnetRouteTableAssociation': { seconds: 5, source: assumption },
  'AWS::EC2::EIP': { seconds: 10, source: assumption },
  'AWS::EC2::NatGateway': {
    seconds: 110,
    source:
      'assumption: the VPC User Guide (NAT gateways) says a new gateway is ' +
      'pending until available without a figure; commonly observed at ' +
      '1 to 2 minutes',
  },
  'AWS::EC2::SecurityGroup': { seconds: 5, source: assumption },
  'AWS::EC2::SecurityGroupIngress': { seconds: 3, source: assumption },
  'AWS::EC2::SecurityGroupEgress': { seconds: 3, source: assumption },
  'AWS::EC2::VPCEndpoint': {
    seconds: 120,
    source:
      'assumption: an interface endpoint is pending while its network ' +
      'interfaces are made; about 2 minutes observed',
  },
  'AWS::RDS::DBSubnetGroup': { seconds: 5, source: assumption },
  'AWS::RDS::DBInstance': {
    seconds: 1020,
    source:
      'hashicorp/terraform issue #498 (2014-10-22): a Multi-AZ instance ' +
      'takes 15 to 20 minutes against 5 to 10 single-AZ, the standby ' +
      'being made before it is available; 17 minutes taken',
  },
  'AWS::SSM::Parameter': { seconds: 3, source: assumption },
  'AWS::S3::Bucket': { seconds: 20, source: assumption },
  'AWS::S3::BucketPolicy': { seconds: 3, source: assumption },
  'AWS::Logs::LogGroup': { seconds: 3, source: assumption },
  'AWS::SNS::Topic': { seconds: 5, source: assumption },
  'AWS::SecretsManager::Secret': { seconds: 5, source: assumption },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': {
    seconds: 180,
    source:
      'assumption: a load balancer is provisioning until active; about ' +
      '3 minutes commonly observed',
  },
  'AWS::ElasticLoadBalancingV2::TargetGroup': {
    seconds: 15,
    source: assumption,
  },
  'AWS::ElasticLoadBalancingV2::Listener': { seconds: 5, source: assumption },
  'AWS::IAM::Role': { seconds: 15, source: assumption },
  'AWS::IAM::Policy': { seconds: 15, source: assumption },
  'AWS::IAM::InstanceProfile': {
    seconds: 120,
    source:
      'hashicorp/terraform issue #15341, comment of 2017-12-20 citing the ' +
      'AWS forums: CloudFormation waits about 2 minutes for an instance ' +
      'profile to propagate',
  },
  'AWS::EC2::LaunchTemplate': { seconds: 5, source: assumption },
  'AWS::AutoScaling::AutoScalingGroup': {
    seconds: 60,
    source:
      'assumption: the group and its first launches; without a ' +
      'CreationPolicy CloudFormation does not wait for the app',
  },
  'AWS::AutoScaling::ScalingPolicy': { seconds: 5, source: assumption },
  'AWS::EC2::Instance': {
    seconds: 45,
    source: 'assumption: CloudFormation waits until the instance runs',
  },
  'AWS::CloudWatch::Alarm': { seconds: 3, source: assumption },
  'AWS::KMS::Key': { seconds: 15, source: assumption },
  'AWS::EKS::Cluster': {
    seconds: 900,
    source:
      'aws/containers-roadmap issue #1227 (EKS team, read December 2026): ' +
      'control plane provisioning "currently averages 15 minutes"',
  },
  'AWS::EKS::Nodegroup': {
    seconds: 240,
    source: 'assumption: nodes launch and join in about 4 minutes',
  },
  'AWS::EKS::AccessEntry': { seconds: 5, source: assumption },
  'AWS::EKS::Addon': { seconds: 60, source: assumption },
};

/** A type the table leaves out. */
export const otherResource: Modelled = { seconds: 10, source: assumption };

/** What haven waits for after its stacks, and the Helm releases. */
export const afterStacks = {
  instanceBoot: {
    seconds: 240,
    source:
      'assumption: Ubuntu boots and app/deploy/bootstrap.sh installs ' +
      'Nginx and the app, migrates and starts Gunicorn in about 4 minutes',
  },
  appRelease: {
    seconds: 90,
    source: 'assumption: image pull and readiness of the app pods',
  },
  monitoringRelease: {
    seconds: 120,
    source: 'assumption: Prometheus and Grafana pods ready',
  },
} as const satisfies Record<string, Modelled>;

/**
 * Milliseconds an API call takes in AWS, by operation. No service
 * publishes latencies; these are assumptions in the range SDK traces
 * show for control-plane calls in one region.
 */
export function apiLatencyMs(service: string, operation: string): number {
  if (service === 'cloudformation') {
    return operation === 'CreateStack' ? 500 : 150;
  }
  if (service === 'dynamodb') return 10;
  if (service === 'sns') return 60;
  if (service === 's3') return 50;
  if (service === 'rds') return 200;

  return 100;
}

type Node = unknown;

interface TemplateResource {
  Type?: string;
  Condition?: string;
  DependsOn?: string | string[];
  Properties?: Record<string, Node>;
}

/** How one stack's creation goes in the model. */
export interface StackModel {
  /** Its longest chain of dependent resources, in seconds. */
  seconds: number;
  /** When each resource is complete, from the start of the stack. */
  finish: Map<string, number>;
  /** The resources of the longest chain, first to last. */
  chain: string[];
}

function references(node: Node, names: Set<string>, found: Set<string>) {
  if (Array.isArray(node)) {
    for (const item of node) references(item, names, found);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'Ref' && typeof value === 'string' && names.has(value)) {
      found.add(value);
    } else if (key === 'Fn::GetAtt') {
      const target = Array.isArray(value) ? value[0] : value;
      if (typeof target === 'string' && names.has(target)) found.add(target);
    } else if (key === 'Fn::Sub') {
      const text = Array.isArray(value) ? value[0] : value;
      for (const match of String(text).matchAll(/\$\{([^}.!]+)/g)) {
        if (names.has(match[1] as string)) found.add(match[1] as string);
      }
      if (Array.isArray(value)) references(value[1], names, found);
    } else {
      references(value, names, found);
    }
  }
}

function conditionHolds(
  node: Node,
  conditions: Record<string, Node>,
  parameters: Record<string, string>
): boolean | string {
  if (typeof node === 'string') return node;
  if (typeof node !== 'object' || node === null) return String(node);
  const [key, argument] = Object.entries(node)[0] ?? [];
  const args = (Array.isArray(argument) ? argument : [argument]) as Node[];
  const value = (n: Node) => conditionHolds(n, conditions, parameters);
  switch (key) {
    case 'Ref':
      return parameters[String(argument)] ?? '';
    case 'Condition':
      return value(conditions[String(argument)]) === true;
    case 'Fn::Equals':
      return String(value(args[0])) === String(value(args[1]));
    case 'Fn::Not':
      return value(args[0]) !== true;
    case 'Fn::And':
      return args.every((a) => value(a) === true);
    case 'Fn::Or':
      return args.some((a) => value(a) === true);
    default:
      return true;
  }
}

/** The parameter values a stack is created with, defaults filled in. */
function withDefaults(
  template: Record<string, Node>,
  given: Record<string, string>
): Record<string, string> {
  const declared = (template.Parameters ?? {}) as Record<
    string,
    { Default?: unknown }
  >;
  const values: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(declared)) {
    values[name] = String(parameter.Default ?? '');
  }

  return { ...values, ...given };
}

/**
 * CloudFormation creates a stack's resources in parallel, each once those
 * it refers to (Ref, GetAtt, Sub, DependsOn) are complete; the stack is
 * complete with its last resource. `factor` stretches or shrinks each
 * resource's time, for environments that do not all take the same.
 */
export function modelStack(
  template: Record<string, Node>,
  parameters: Record<string, string>,
  factor: (type: string) => number = () => 1
): StackModel {
  const values = withDefaults(template, parameters);
  const conditions = (template.Conditions ?? {}) as Record<string, Node>;
  const all = (template.Resources ?? {}) as Record<string, TemplateResource>;
  const resources = Object.entries(all).filter(
    ([, r]) =>
      !r.Condition ||
      conditionHolds({ Condition: r.Condition }, conditions, values) === true
  );
  const names = new Set(resources.map(([name]) => name));
  const byName = new Map(resources);
  const finish = new Map<string, number>();
  const before = new Map<string, string | undefined>();

  const visit = (name: string): number => {
    const known = finish.get(name);
    if (known !== undefined) return known;
    const resource = byName.get(name) as TemplateResource;
    const needs = new Set<string>();
    references(resource.Properties ?? {}, names, needs);
    for (const d of [resource.DependsOn ?? []].flat()) {
      if (names.has(d)) needs.add(d);
    }
    let start = 0;
    let last: string | undefined;
    for (const need of needs) {
      const end = visit(need);
      if (end > start) [start, last] = [end, need];
    }
    const type = resource.Type ?? '';
    const own = (resourceSeconds[type] ?? otherResource).seconds * factor(type);
    finish.set(name, start + own);
    before.set(name, last);

    return start + own;
  };
  for (const name of names) visit(name);

  let end: string | undefined;
  let seconds = 0;
  for (const [name, done] of finish) {
    if (done > seconds) [seconds, end] = [done, name];
  }
  const chain: string[] = [];
  for (let at = end; at; at = before.get(at)) chain.unshift(at);

  return { seconds, finish, chain };
}

/** A tier template of this repository, parsed. */
export function tierTemplate(tier: string): Record<string, Node> {
  return readTemplate(`${repoRoot}/templates/${tier}.yaml`);
}

/** The target group's health check: seconds from serving to healthy. */
export function healthCheckSeconds(template: Record<string, Node>): number {
  const resources = (template.Resources ?? {}) as Record<
    string,
    TemplateResource
  >;
  const group = Object.values(resources).find(
    (r) => r.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup'
  );
  const interval = Number(group?.Properties?.HealthCheckIntervalSeconds ?? 30);
  const threshold = Number(group?.Properties?.HealthyThresholdCount ?? 5);

  return interval * threshold;
}
