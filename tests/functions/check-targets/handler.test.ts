import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  type Instance,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type TargetHealthStateEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../../functions/check-targets/handler';
import { TargetsNotHealthyError } from '../../../functions/shared/errors';
import { captureLogs } from '../fixtures';

const autoScaling = mockClient(AutoScalingClient);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const targetGroupArn =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/demo/1';
const correlation = { environment: 'demo', executionId: 'exec-1' };

interface Seen {
  id: string;
  zone: string;
  lifecycle?: Instance['LifecycleState'];
  health?: TargetHealthStateEnum;
}

function groupHas(desired: number, instances: Seen[]) {
  autoScaling
    .on(DescribeAutoScalingGroupsCommand, {
      AutoScalingGroupNames: ['demo-app'],
    })
    .resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'demo-app',
          DesiredCapacity: desired,
          MinSize: 1,
          MaxSize: 4,
          DefaultCooldown: 300,
          AvailabilityZones: ['eu-west-1a', 'eu-west-1b'],
          HealthCheckType: 'ELB',
          CreatedTime: new Date(),
          Instances: instances.map((i) => ({
            InstanceId: i.id,
            AvailabilityZone: i.zone,
            LifecycleState: i.lifecycle ?? 'InService',
            HealthStatus: 'Healthy',
            ProtectedFromScaleIn: false,
          })),
        },
      ],
    });
  elbv2
    .on(DescribeTargetHealthCommand, { TargetGroupArn: targetGroupArn })
    .resolves({
      TargetHealthDescriptions: instances
        .filter((i) => i.health)
        .map((i) => ({
          Target: { Id: i.id, Port: 80 },
          TargetHealth: { State: i.health },
        })),
    });
}

function check(attempt = 0) {
  return handler({
    targetGroupArn,
    autoScalingGroupName: 'demo-app',
    attempt,
    correlation,
  });
}

describe('check-targets handler', () => {
  beforeEach(() => {
    autoScaling.reset();
    elbv2.reset();
    captureLogs();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('is ready with the desired healthy instances in two zones', async () => {
    // Prepare
    groupHas(2, [
      { id: 'i-1', zone: 'eu-west-1a', health: 'healthy' },
      { id: 'i-2', zone: 'eu-west-1b', health: 'healthy' },
    ]);

    // Act
    const state = await check(5);

    // Assess
    expect(state).toEqual({
      desired: 2,
      healthy: 2,
      zones: ['eu-west-1a', 'eu-west-1b'],
      unhealthy: [],
      ready: true,
      attempt: 5,
      waitSeconds: 0,
    });
  });

  it('is ready with a single instance in one zone when one is desired', async () => {
    // Prepare
    groupHas(1, [{ id: 'i-1', zone: 'eu-west-1a', health: 'healthy' }]);

    // Act
    const state = await check();

    // Assess
    expect(state).toMatchObject({ ready: true, healthy: 1 });
  });

  it.each<[string, number, Seen[]]>([
    [
      'every healthy instance is in one zone',
      2,
      [
        { id: 'i-1', zone: 'eu-west-1a', health: 'healthy' },
        { id: 'i-2', zone: 'eu-west-1a', health: 'healthy' },
        { id: 'i-3', zone: 'eu-west-1b', health: 'unhealthy' },
      ],
    ],
    [
      'fewer are healthy than desired',
      3,
      [
        { id: 'i-1', zone: 'eu-west-1a', health: 'healthy' },
        { id: 'i-2', zone: 'eu-west-1b', health: 'healthy' },
        { id: 'i-3', zone: 'eu-west-1b', health: 'initial' },
      ],
    ],
    [
      'a healthy target is not in service',
      2,
      [
        { id: 'i-1', zone: 'eu-west-1a', health: 'healthy' },
        {
          id: 'i-2',
          zone: 'eu-west-1b',
          health: 'healthy',
          lifecycle: 'Terminating',
        },
      ],
    ],
    [
      'an instance is not registered yet',
      2,
      [
        { id: 'i-1', zone: 'eu-west-1a', health: 'healthy' },
        { id: 'i-2', zone: 'eu-west-1b' },
      ],
    ],
  ])('is not ready when %s', async (_case, desired, instances) => {
    // Prepare
    groupHas(desired, instances);

    // Act
    const state = await check(0);

    // Assess
    expect(state).toMatchObject({ ready: false, attempt: 1, waitSeconds: 290 });
  });

  it('reports the unhealthy targets while it waits', async () => {
    // Prepare
    groupHas(2, [
      { id: 'i-1', zone: 'eu-west-1a', health: 'healthy' },
      { id: 'i-2', zone: 'eu-west-1b', health: 'unhealthy' },
      { id: 'i-3', zone: 'eu-west-1b', health: 'draining' },
    ]);

    // Act
    const state = await check(2);

    // Assess
    expect(state).toEqual({
      desired: 2,
      healthy: 1,
      zones: ['eu-west-1a'],
      unhealthy: ['i-2 unhealthy', 'i-3 draining'],
      ready: false,
      attempt: 3,
      waitSeconds: 11,
    });
  });

  it('lists the unhealthy targets when it gives up', async () => {
    // Prepare
    groupHas(2, [
      { id: 'i-1', zone: 'eu-west-1a', health: 'healthy' },
      { id: 'i-2', zone: 'eu-west-1a', health: 'unhealthy' },
    ]);

    // Act
    const invocation = check(40);

    // Assess
    await expect(invocation).rejects.toThrow(
      new TargetsNotHealthyError(
        'The load balancer reports 1 of 2 instances healthy, in 1 zone(s), ' +
          'after 20 minutes. Unhealthy targets: i-2 unhealthy. Check the ' +
          "app's log group and the /health/ page of an instance."
      )
    );
    await expect(invocation).rejects.toBeInstanceOf(TargetsNotHealthyError);
  });

  it('says when no target is registered at all', async () => {
    // Prepare
    groupHas(2, []);

    // Act
    const invocation = check(40);

    // Assess
    await expect(invocation).rejects.toThrow(
      'Unhealthy targets: none registered.'
    );
  });

  it.each([
    // At once, then 290 s for the instances to boot, then 10 s growing by
    // a tenth: look 27 would pass 20 minutes.
    [25, false],
    [26, true],
  ])('gives up after look %i: %s', async (attempt, givesUp) => {
    // Prepare
    groupHas(2, [{ id: 'i-1', zone: 'eu-west-1a', health: 'healthy' }]);

    // Act
    const outcome = await check(attempt).then(
      () => 'waits',
      (error: Error) => error.name
    );

    // Assess
    expect(outcome).toBe(givesUp ? 'TargetsNotHealthyError' : 'waits');
  });

  it('fails when the Auto Scaling group does not exist', async () => {
    // Prepare
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [],
    });
    elbv2.on(DescribeTargetHealthCommand).resolves({});

    // Act
    const invocation = check(0);

    // Assess
    await expect(invocation).rejects.toThrow(
      new TargetsNotHealthyError(
        'The Auto Scaling group demo-app does not exist.'
      )
    );
  });
});
