import type { AwsCall } from '../local/aws-call';
import { parseTemplate } from '../local/cfn-yaml';
import type { FaultRule } from '../local/fault-proxy';
import { withStatus } from '../local/faults';
import {
  afterStacks,
  apiLatencyMs,
  healthCheckSeconds,
  modelStack,
  type StackModel,
} from './model';

/**
 * The latency model put in front of the emulator, on a scaled clock: each
 * call is delayed by its modelled latency, a stack reports
 * CREATE_IN_PROGRESS until its modelled creation time has passed, the
 * database has no standby until its instance is modelled complete, and
 * the targets are unhealthy until the instances have booted and passed
 * their health checks.
 */

/** AWS time on a faster clock: `msPerSecond` real ms per AWS second. */
export class ScaledClock {
  /** Date.now() when the clock started. */
  readonly origin = Date.now();

  constructor(readonly msPerSecond: number) {}

  /** AWS seconds since the clock started. */
  now(): number {
    return (Date.now() - this.origin) / this.msPerSecond;
  }
}

/** One call at the proxy, when it came in AWS time. */
export interface TimedCall {
  service: string;
  operation: string;
  at: number;
  latencyMs: number;
}

/** A stack the model saw created. */
export interface ModelledStack {
  stackName: string;
  environment: string;
  startedAt: number;
  model: StackModel;
  parameters: Record<string, string>;
  template: Record<string, unknown>;
}

/** Spread of one environment: a factor on each resource type's time. */
export type Spread = (environment: string, type: string) => number;

type Resources = Record<
  string,
  { Type?: string; Properties?: Record<string, unknown> }
>;

function formParameters(params: Record<string, string>) {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    const match = key.match(/^Parameters\.member\.(\d+)\.ParameterKey$/);
    if (!match) continue;
    values[value] =
      params[`Parameters.member.${match[1]}.ParameterValue`] ?? '';
  }

  return values;
}

function stackNameIn(value: string | undefined): string {
  const arn = (value ?? '').match(/:stack\/([^/]+)\//);

  return arn?.[1] ?? value ?? '';
}

/** A `!Sub` name of a resource, with the stack's parameters put in. */
function physicalName(
  stack: ModelledStack,
  type: string,
  property: string
): string | undefined {
  const resources = (stack.template.Resources ?? {}) as Resources;
  const resource = Object.values(resources).find((r) => r.Type === type);
  const sub = (resource?.Properties?.[property] as { 'Fn::Sub'?: string })?.[
    'Fn::Sub'
  ];
  if (typeof sub !== 'string') return undefined;

  return sub.replace(
    /\$\{([^}]+)\}/g,
    (_, name: string) => stack.parameters[name] ?? ''
  );
}

function resourceOf(stack: ModelledStack, type: string): string | undefined {
  const resources = (stack.template.Resources ?? {}) as Resources;

  return Object.entries(resources).find(([, r]) => r.Type === type)?.[0];
}

/** The latency model: its proxy rules, and what it saw. */
export interface AwsModel {
  rules: FaultRule[];
  calls: TimedCall[];
  stacks: Map<string, ModelledStack>;
  /** When an environment's targets are modelled healthy (AWS seconds). */
  targetsHealthyAt(stack: ModelledStack): number;
  /** When its database has a standby (AWS seconds). */
  standbyAt(stack: ModelledStack): number;
  /**
   * Forgets the calls and stacks seen, for the next run, and takes the
   * spread of that run (none: every environment takes the modelled time).
   */
  clear(spread?: Spread): void;
}

/** Builds the model's proxy rules on the given clock. */
export function awsModel(clock: ScaledClock): AwsModel {
  let spread: Spread | undefined;
  const calls: TimedCall[] = [];
  const stacks = new Map<string, ModelledStack>();
  // CloudFormation starts building when it accepts the call, however long
  // the emulator then takes to answer.
  const requested = new Map<string, number>();
  const factor = (stack: { environment: string }, type: string) =>
    spread ? spread(stack.environment, type) : 1;

  const standbyAt = (stack: ModelledStack) => {
    const db = resourceOf(stack, 'AWS::RDS::DBInstance') ?? '';

    return stack.startedAt + (stack.model.finish.get(db) ?? 0);
  };
  const targetsHealthyAt = (stack: ModelledStack) => {
    const group = resourceOf(stack, 'AWS::AutoScaling::AutoScalingGroup') ?? '';
    const launched = stack.model.finish.get(group) ?? stack.model.seconds;
    const boot = afterStacks.instanceBoot.seconds * factor(stack, 'boot');

    return (
      stack.startedAt + launched + boot + healthCheckSeconds(stack.template)
    );
  };
  const stackOf = (predicate: (stack: ModelledStack) => boolean) =>
    [...stacks.values()].find(predicate);

  const created: FaultRule = {
    description: 'the model starts the stack',
    when: (call) =>
      call.service === 'cloudformation' && call.operation === 'CreateStack',
    action: {
      type: 'rewrite',
      rewrite: (body, call) => {
        if (!body.includes('<StackId>')) return undefined;
        const template = parseTemplate(call.params.TemplateBody ?? '');
        const parameters = formParameters(call.params);
        const environment = parameters.EnvironmentName ?? '';
        const stackName = call.params.StackName ?? '';
        stacks.set(stackName, {
          stackName,
          environment,
          startedAt: requested.get(stackName) ?? clock.now(),
          parameters,
          template,
          model: modelStack(template, parameters, (type) =>
            factor({ environment }, type)
          ),
        });

        return undefined;
      },
    },
  };

  const inProgress: FaultRule = {
    description: 'the stack is still being created',
    when: (call) =>
      call.service === 'cloudformation' && call.operation === 'DescribeStacks',
    action: {
      type: 'rewrite',
      rewrite: (body, call) => {
        const stack = stacks.get(stackNameIn(call.params.StackName));
        if (!stack || !body.includes('<StackStatus>CREATE_COMPLETE<')) {
          return undefined;
        }
        if (clock.now() >= stack.startedAt + stack.model.seconds) {
          return undefined;
        }

        return withStatus(body, 'CREATE_IN_PROGRESS');
      },
    },
  };

  const noStandby: FaultRule = {
    description: 'the database is still being created',
    when: (call) =>
      call.service === 'rds' && call.operation === 'DescribeDBInstances',
    action: {
      type: 'rewrite',
      rewrite: (body, call) => {
        const id = call.params.DBInstanceIdentifier;
        const stack = stackOf(
          (s) =>
            physicalName(s, 'AWS::RDS::DBInstance', 'DBInstanceIdentifier') ===
            id
        );
        if (!stack || clock.now() >= standbyAt(stack)) return undefined;

        return body
          .replace(/<DBInstanceStatus>[^<]*</, '<DBInstanceStatus>creating<')
          .replace(/<MultiAZ>true<\/MultiAZ>/g, '<MultiAZ>false</MultiAZ>')
          .replace(
            /<SecondaryAvailabilityZone>[^<]*<\/SecondaryAvailabilityZone>/g,
            ''
          );
      },
    },
  };

  const unhealthy: FaultRule = {
    description: 'the instances are still booting',
    when: (call) =>
      call.service === 'elasticloadbalancing' &&
      call.operation === 'DescribeTargetHealth',
    action: {
      type: 'rewrite',
      rewrite: (body, call) => {
        const arn = call.params.TargetGroupArn ?? '';
        const stack = stackOf((s) => {
          const name = physicalName(
            s,
            'AWS::ElasticLoadBalancingV2::TargetGroup',
            'Name'
          );
          return name !== undefined && arn.includes(`:targetgroup/${name}/`);
        });
        if (!stack || clock.now() >= targetsHealthyAt(stack)) return undefined;

        return body.replace(
          /<State>healthy<\/State>/g,
          '<State>initial</State><Reason>Elb.InitialHealthChecking</Reason>'
        );
      },
    },
  };

  const latency: FaultRule = {
    description: 'the call takes its modelled time',
    when: () => true,
    action: {
      type: 'delay',
      ms: (call: AwsCall) => {
        const latencyMs = apiLatencyMs(call.service, call.operation);
        if (call.operation === 'CreateStack' && call.params.StackName) {
          requested.set(call.params.StackName, clock.now());
        }
        calls.push({
          service: call.service,
          operation: call.operation,
          at: clock.now(),
          latencyMs,
        });

        return (latencyMs / 1000) * clock.msPerSecond;
      },
    },
  };

  return {
    rules: [latency, created, inProgress, noStandby, unhealthy],
    calls,
    stacks,
    targetsHealthyAt,
    standbyAt,
    clear: (next) => {
      spread = next;
      calls.length = 0;
      stacks.clear();
      requested.clear();
    },
  };
}
