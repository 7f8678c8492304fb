// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are
// CloudFormation Fn::Sub text, whose ${...} placeholders are meant literally.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { repoRoot } from '../../local/emulator';
import { loadTemplate } from '../support/cfn-yaml';
import { useEmulator } from '../support/emulator';
import {
  type CreatedStack,
  computeParameters,
  createStack,
  dataParameters,
  networkParameters,
} from '../support/stacks';

const file = 'templates/compute.yaml';

async function createEnvironment(name: string, extra = {}) {
  const network = await createStack(
    `${name}-network`,
    'templates/network.yaml',
    networkParameters(name)
  );
  const data = await createStack(
    `${name}-data`,
    'templates/data.yaml',
    dataParameters(name, network)
  );
  const compute = await createStack(
    `${name}-compute`,
    file,
    computeParameters(name, network, data, extra)
  );

  return { network, data, compute };
}

/**
 * Asks the emulator's ACM for a certificate, which the HTTPS listener must
 * name. The project has no ACM client, and the emulator checks no
 * signature, so a plain JSON request with the credential scope suffices.
 */
async function requestCertificate(endpoint: string): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'CertificateManager.RequestCertificate',
      Authorization:
        'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/acm/' +
        'aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify({ DomainName: 'beta.example.com' }),
  });
  const { CertificateArn } = (await response.json()) as {
    CertificateArn: string;
  };

  return CertificateArn;
}

type Statement = {
  Sid: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
};

describe('compute template', () => {
  const emulator = useEmulator();
  const template = loadTemplate(file);
  const elb = () => new ElasticLoadBalancingV2Client({});
  let network: CreatedStack;
  let compute: CreatedStack;

  beforeAll(async () => {
    ({ network, compute } = await createEnvironment('alpha'));
  });

  it('puts an internet-facing load balancer on the public subnets', async () => {
    const { LoadBalancers } = await elb().send(
      new DescribeLoadBalancersCommand({ Names: ['alpha-alb'] })
    );
    const lb = LoadBalancers?.[0];

    expect(lb?.Scheme).toBe('internet-facing');
    expect(lb?.AvailabilityZones?.map((z) => z.SubnetId).sort()).toEqual(
      network.outputs.PublicSubnetIds.split(',').sort()
    );
    expect(lb?.SecurityGroups).toEqual([network.outputs.AlbSecurityGroupId]);
    expect(compute.outputs).toMatchObject({
      LoadBalancerArn: lb?.LoadBalancerArn,
      LoadBalancerDnsName: lb?.DNSName,
      AppUrl: `http://${lb?.DNSName}/`,
    });
  });

  it('health-checks GET /health/ every 30 s on the target group', async () => {
    const { TargetGroups } = await elb().send(
      new DescribeTargetGroupsCommand({ Names: ['alpha-app'] })
    );

    expect(TargetGroups?.[0]).toMatchObject({
      TargetGroupArn: compute.outputs.TargetGroupArn,
      Protocol: 'HTTP',
      Port: 80,
      HealthCheckPath: '/health/',
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: '200' },
    });
  });

  it('forwards HTTP to the target group without a certificate', async () => {
    const { Listeners } = await elb().send(
      new DescribeListenersCommand({
        LoadBalancerArn: compute.outputs.LoadBalancerArn,
      })
    );

    expect(
      Listeners?.map((l) => [l.Port, l.Protocol, l.DefaultActions?.[0]?.Type])
    ).toEqual([[80, 'HTTP', 'forward']]);
  });

  it('runs the Auto Scaling group in the private subnets behind the target group', async () => {
    const { AutoScalingGroups } = await new AutoScalingClient({}).send(
      new DescribeAutoScalingGroupsCommand({
        AutoScalingGroupNames: ['alpha-app'],
      })
    );
    const group = AutoScalingGroups?.[0];

    expect(group).toMatchObject({
      MinSize: 1,
      DesiredCapacity: 2,
      MaxSize: 3,
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: 300,
      TargetGroupARNs: [compute.outputs.TargetGroupArn],
      LaunchTemplate: { LaunchTemplateId: compute.outputs.LaunchTemplateId },
    });
    expect(group?.VPCZoneIdentifier?.split(',').sort()).toEqual(
      network.outputs.PrivateSubnetIds.split(',').sort()
    );
    expect(group?.Instances).toHaveLength(2);
    expect(group?.Tags).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Key: 'haven:environment',
          Value: 'alpha',
          PropagateAtLaunch: true,
        }),
      ])
    );
  });

  it('registers the instances as healthy targets', async () => {
    const { TargetHealthDescriptions = [] } = await elb().send(
      new DescribeTargetHealthCommand({
        TargetGroupArn: compute.outputs.TargetGroupArn,
      })
    );

    expect(TargetHealthDescriptions.map((t) => t.TargetHealth?.State)).toEqual([
      'healthy',
      'healthy',
    ]);
  });

  it('launches Ubuntu with IMDSv2 only and an encrypted root volume', async () => {
    const { LaunchTemplateVersions } = await new EC2Client({}).send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateName: 'alpha-app',
      })
    );
    const data = LaunchTemplateVersions?.[0]?.LaunchTemplateData;
    const userData = Buffer.from(data?.UserData ?? '', 'base64').toString();

    expect(data).toMatchObject({
      ImageId: 'ami-785db401',
      InstanceType: 't2.micro',
      SecurityGroupIds: [network.outputs.AppSecurityGroupId],
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
      BlockDeviceMappings: [{ Ebs: { Encrypted: true } }],
      IamInstanceProfile: {
        Arn: expect.stringMatching(/instance-profile\/alpha-app$/),
      },
    });
    expect(userData).toMatch(/^#!\/bin\/bash\nset -euo pipefail\n/);
    expect(userData).not.toMatch(/\$\{(?!!)[A-Za-z:.]+\}/);
  });

  async function launchedUserData(): Promise<string> {
    const { LaunchTemplateVersions } = await new EC2Client({}).send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateName: 'alpha-app',
      })
    );

    return Buffer.from(
      LaunchTemplateVersions?.[0]?.LaunchTemplateData?.UserData ?? '',
      'base64'
    ).toString();
  }

  it.each([
    ['installs the packages', /apt-get install -y python3-venv git nginx/],
    [
      'fetches the ref',
      /fetch --depth 1 \\\n\s+'https:\/\/github\.com\/example\/haven-app\.git' 'main'/,
    ],
    [
      "installs the app's pinned requirements, Gunicorn among them",
      /pip install --quiet -r \$home\/app\/requirements\.txt/,
    ],
    [
      "runs Gunicorn with the app's gunicorn.conf.py",
      /ExecStart=\/opt\/haven\/venv\/bin\/gunicorn --config \/opt\/haven\/app\/gunicorn\.conf\.py/,
    ],
    ['hides /metrics', /location \^~ \/metrics \{\s+return 404;/],
    [
      'serves collected static files',
      /location \/static\/ \{\s+alias \/opt\/haven\/static\/;/,
    ],
    [
      'reads the endpoint parameter',
      /get_parameter\(Name="\/haven\/alpha\/database\/endpoint"\)/,
    ],
    [
      'asks IMDSv2 for the region',
      /X-aws-ec2-metadata-token[\s\S]+placement\/region/,
    ],
    [
      'migrates under a PostgreSQL advisory lock',
      /pg_try_advisory_lock[\s\S]+call_command\("migrate"/,
    ],
    [
      'migrates with the environment file of the Gunicorn unit',
      /systemd-run --wait[\s\S]+EnvironmentFile=\/etc\/haven\/app\.env[\s\S]+migrate_once\.py/,
    ],
  ])('boots an instance that %s', async (_, pattern) => {
    expect(await launchedUserData()).toMatch(pattern);
  });

  it.each([
    ['the Gunicorn unit', 'app/deploy/gunicorn.service'],
    ['the Nginx site', 'app/deploy/nginx-site.conf'],
    ['the migration runner', 'app/deploy/migrate_once.py'],
  ])('boots an instance with %s of %s, unchanged', async (_, path) => {
    const file = readFileSync(join(repoRoot, path), 'utf8');

    expect(await launchedUserData()).toContain(file.trimEnd());
  });

  it('opens port 80 only after the migrations and a healthy Gunicorn', async () => {
    const userData = await launchedUserData();
    const steps = [
      'systemctl stop nginx',
      'systemd-run --wait',
      'systemctl enable --now gunicorn.service',
      'http://127.0.0.1:8000/health/',
      'systemctl restart nginx.service',
    ].map((step) => userData.lastIndexOf(step));

    expect(steps).not.toContain(-1);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
  });

  // The emulator skips scaling policies and alarms, keeps no load balancer
  // attributes and no instance metadata options: checked on the template.
  it('scales on average CPU at CpuTargetPercent', () => {
    expect(template.Resources.CpuTargetTrackingPolicy.Properties).toEqual({
      AutoScalingGroupName: { Ref: 'AppAutoScalingGroup' },
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: {
        PredefinedMetricSpecification: {
          PredefinedMetricType: 'ASGAverageCPUUtilization',
        },
        TargetValue: { Ref: 'CpuTargetPercent' },
      },
    });
  });

  it.each([
    [
      'HighCpuAlarm',
      {
        MetricName: 'CPUUtilization',
        Threshold: { Ref: 'HighCpuAlarmPercent' },
      },
    ],
    ['UnhealthyHostsAlarm', { MetricName: 'UnHealthyHostCount', Threshold: 0 }],
  ])('notifies the alarm topic from %s', (alarm, expected) => {
    const properties = template.Resources[alarm].Properties;

    expect(properties).toMatchObject({
      ...expected,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    });
  });

  it('raises the CPU alarm over 10 minutes of the group average', () => {
    const { Period, EvaluationPeriods, Statistic, Dimensions } =
      template.Resources.HighCpuAlarm.Properties;

    expect(Number(Period) * Number(EvaluationPeriods)).toBe(600);
    expect(Statistic).toBe('Average');
    expect(Dimensions).toEqual([
      { Name: 'AutoScalingGroupName', Value: { Ref: 'AppAutoScalingGroup' } },
    ]);
  });

  it('sends scaling events to the alarm topic', () => {
    const group = template.Resources.AppAutoScalingGroup.Properties;

    expect(group.NotificationConfigurations).toEqual([
      {
        TopicARN: { Ref: 'AlarmTopic' },
        NotificationTypes: expect.arrayContaining([
          'autoscaling:EC2_INSTANCE_LAUNCH',
          'autoscaling:EC2_INSTANCE_LAUNCH_ERROR',
          'autoscaling:EC2_INSTANCE_TERMINATE',
          'autoscaling:EC2_INSTANCE_TERMINATE_ERROR',
        ]),
      },
    ]);
  });

  it('writes access logs to the bucket under alb-logs', () => {
    expect(
      template.Resources.LoadBalancer.Properties.LoadBalancerAttributes
    ).toEqual(
      expect.arrayContaining([
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: { Ref: 'StaticBucketName' } },
        { Key: 'access_logs.s3.prefix', Value: 'alb-logs' },
      ])
    );
  });

  it('requires IMDSv2 on the bastion in the first public subnet', () => {
    expect(template.Resources.BastionInstance.Properties).toMatchObject({
      SubnetId: { 'Fn::Select': [0, { Ref: 'PublicSubnetIds' }] },
      SecurityGroupIds: [{ Ref: 'BastionSecurityGroupId' }],
      MetadataOptions: { HttpTokens: 'required' },
    });
  });

  it('grants the instances only what the application reads and writes', () => {
    const [policy] = template.Resources.AppRole.Properties.Policies as {
      PolicyDocument: { Statement: Statement[] };
    }[];
    const statements = Object.fromEntries(
      policy.PolicyDocument.Statement.map((s) => [s.Sid, s])
    );

    expect(statements.ReadDatabaseEndpoint.Resource).toEqual({
      'Fn::Sub':
        'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:' +
        'parameter${DBEndpointParameterName}',
    });
    expect(statements.ReadDatabaseSecret).toMatchObject({
      Action: [
        'secretsmanager:GetSecretValue',
        'secretsmanager:DescribeSecret',
      ],
      Condition: {
        StringEquals: {
          'aws:ResourceTag/aws:rds:primaryDBInstanceArn': {
            Ref: 'DBInstanceArn',
          },
        },
      },
    });
    expect(statements.ReadWriteMedia.Resource).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:s3:::${StaticBucketName}/media/*',
    });
    expect(statements.ListMedia.Condition).toEqual({
      StringLike: { 's3:prefix': ['media/', 'media/*'] },
    });
    expect(template.Resources.AppRole.Properties.ManagedPolicyArns).toEqual([
      {
        'Fn::Sub':
          'arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore',
      },
    ]);
  });

  it('publishes every output the workflow reads', () => {
    expect(Object.keys(compute.outputs).sort()).toEqual(
      [
        'AlarmTopicArn',
        'AppLogGroupName',
        'AppUrl',
        'AutoScalingGroupName',
        'BastionInstanceId',
        'LaunchTemplateId',
        'LoadBalancerArn',
        'LoadBalancerDnsName',
        'TargetGroupArn',
      ].sort()
    );
    expect(compute.outputs).toMatchObject({
      AutoScalingGroupName: 'alpha-app',
      AppLogGroupName: '/haven/alpha/app',
      AlarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:alpha-alarms',
      BastionInstanceId: expect.stringMatching(/^i-/),
    });
  });

  it('redirects HTTP to an HTTPS listener with a certificate', async () => {
    const certificate = await requestCertificate(emulator.current().endpoint);
    const { compute: secure } = await createEnvironment('beta', {
      CertificateArn: certificate,
    });
    const { Listeners = [] } = await elb().send(
      new DescribeListenersCommand({
        LoadBalancerArn: secure.outputs.LoadBalancerArn,
      })
    );
    const byPort = Object.fromEntries(Listeners.map((l) => [l.Port, l]));

    expect(byPort[80]?.DefaultActions?.[0]).toMatchObject({
      Type: 'redirect',
      RedirectConfig: { Protocol: 'HTTPS', Port: '443' },
    });
    expect(byPort[443]).toMatchObject({
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      DefaultActions: [{ Type: 'forward' }],
    });
    expect(secure.outputs.AppUrl).toMatch(/^https:\/\/beta-alb-/);
    expect(secure.outputs.AutoScalingGroupName).toBe('beta-app');
  });
});
