import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { sdkSettings, traced } from '../shared/clients';
import { TargetsNotHealthyError } from '../shared/errors';
import { type TaskEvent, taskHandler } from '../shared/handler';
import { logger } from '../shared/logger';
import {
  boundMinutes,
  isPastBound,
  nextPoll,
  type PollState,
  pollPlans,
} from '../shared/polling';

const autoScaling = traced(new AutoScalingClient(sdkSettings));
const elbv2 = traced(new ElasticLoadBalancingV2Client(sdkSettings));

export interface CheckTargetsEvent extends TaskEvent {
  targetGroupArn: string;
  autoScalingGroupName: string;
  attempt: number;
}

export interface TargetsState extends PollState {
  desired: number;
  healthy: number;
  zones: string[];
  unhealthy: string[];
}

async function groupOf(name: string) {
  const { AutoScalingGroups = [] } = await autoScaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })
  );
  const group = AutoScalingGroups[0];
  if (!group) {
    throw new TargetsNotHealthyError(
      `The Auto Scaling group ${name} does not exist.`
    );
  }

  return group;
}

async function targetStates(targetGroupArn: string) {
  const { TargetHealthDescriptions = [] } = await elbv2.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })
  );

  return new Map(
    TargetHealthDescriptions.map((d) => [
      d.Target?.Id ?? '',
      d.TargetHealth?.State ?? 'unknown',
    ])
  );
}

/**
 * One look at the app's instances behind the load balancer. Ready when as
 * many instances as the group's desired capacity are in service and healthy
 * in the target group, spread over two zones (or one, for a single
 * instance), so losing a zone leaves the app serving.
 */
export const handler = taskHandler(
  'check the targets',
  async (event: CheckTargetsEvent): Promise<TargetsState> => {
    const group = await groupOf(event.autoScalingGroupName);
    const states = await targetStates(event.targetGroupArn);
    const desired = group.DesiredCapacity ?? 0;

    const inService = (group.Instances ?? []).filter(
      (i) => i.LifecycleState === 'InService'
    );
    const healthy = inService.filter(
      (i) => states.get(i.InstanceId ?? '') === 'healthy'
    );
    const zones = [...new Set(healthy.map((i) => i.AvailabilityZone ?? ''))];
    const unhealthy = [...states.entries()]
      .filter(([, state]) => state !== 'healthy')
      .map(([id, state]) => `${id} ${state}`);
    const seen = { desired, healthy: healthy.length, zones, unhealthy };

    if (healthy.length >= desired && zones.length >= Math.min(desired, 2)) {
      logger.info('targets healthy', seen);

      return { ...seen, ready: true, attempt: event.attempt, waitSeconds: 0 };
    }

    const plan = pollPlans.targets;
    if (isPastBound(plan, event.attempt + 1)) {
      throw new TargetsNotHealthyError(
        `The load balancer reports ${healthy.length} of ${desired} ` +
          `instances healthy, in ${zones.length} zone(s), after ` +
          `${boundMinutes(plan)} minutes. Unhealthy targets: ` +
          `${unhealthy.join(', ') || 'none registered'}. Check the app's ` +
          'log group and the /health/ page of an instance.'
      );
    }

    return { ...seen, ...nextPoll(plan, event.attempt) };
  }
);
