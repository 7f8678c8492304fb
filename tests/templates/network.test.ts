import {
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type IpPermission,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { loadTemplate, resourcesOfType } from '../support/cfn-yaml';
import { useEmulator } from '../support/emulator';
import {
  type CreatedStack,
  createStack,
  networkParameters,
} from '../support/stacks';

const file = 'templates/network.yaml';

/** Ingress rules as comparable strings: protocol, ports and source. */
function ingressRules(permissions: IpPermission[] = []): string[] {
  return permissions
    .flatMap((p) => [
      ...(p.IpRanges ?? []).map(
        (r) => `${p.IpProtocol}:${p.FromPort}:${p.ToPort} from ${r.CidrIp}`
      ),
      ...(p.UserIdGroupPairs ?? []).map(
        (g) => `${p.IpProtocol}:${p.FromPort}:${p.ToPort} from ${g.GroupId}`
      ),
    ])
    .sort();
}

function defaultRoute(table: RouteTable | undefined) {
  return table?.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0');
}

describe('network template', () => {
  useEmulator();
  const ec2 = () => new EC2Client({});
  let stack: CreatedStack;

  beforeAll(async () => {
    stack = await createStack(
      'alpha-network',
      file,
      networkParameters('alpha')
    );
  });

  async function routeTable(logicalId: string) {
    const { RouteTables } = await ec2().send(
      new DescribeRouteTablesCommand({
        RouteTableIds: [stack.resources[logicalId]],
      })
    );

    return RouteTables?.[0];
  }

  it('creates the VPC with its CIDR and the environment tags', async () => {
    const { Vpcs } = await ec2().send(
      new DescribeVpcsCommand({ VpcIds: [stack.outputs.VpcId] })
    );

    expect(Vpcs?.[0]?.CidrBlock).toBe('10.0.0.0/16');
    expect(stack.outputs.VpcCidr).toBe('10.0.0.0/16');
    expect(Vpcs?.[0]?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'Name', Value: 'alpha-vpc' },
        { Key: 'haven:environment', Value: 'alpha' },
        { Key: 'haven:owner', Value: 'team-web' },
        { Key: 'haven:managed-by', Value: 'haven' },
      ])
    );
  });

  it.each([
    ['PublicSubnetIds', ['10.0.1.0/24', '10.0.2.0/24']],
    ['PrivateSubnetIds', ['10.0.10.0/24', '10.0.11.0/24']],
    ['DatabaseSubnetIds', ['10.0.20.0/24', '10.0.21.0/24']],
  ])('publishes %s as two subnets in two zones', async (output, cidrs) => {
    const ids = stack.outputs[output].split(',');
    const { Subnets = [] } = await ec2().send(
      new DescribeSubnetsCommand({ SubnetIds: ids })
    );
    const byId = new Map(Subnets.map((s) => [s.SubnetId, s]));

    expect(ids.map((id) => byId.get(id)?.CidrBlock)).toEqual(cidrs);
    expect(ids.map((id) => byId.get(id)?.AvailabilityZone)).toEqual([
      'us-east-1a',
      'us-east-1b',
    ]);
    expect(ids.map((id) => byId.get(id)?.VpcId)).toEqual([
      stack.outputs.VpcId,
      stack.outputs.VpcId,
    ]);
  });

  it('runs one NAT gateway per zone in the public subnets', async () => {
    const { NatGateways = [] } = await ec2().send(
      new DescribeNatGatewaysCommand({
        Filter: [{ Name: 'vpc-id', Values: [stack.outputs.VpcId] }],
      })
    );

    expect(NatGateways.map((n) => n.SubnetId).sort()).toEqual(
      stack.outputs.PublicSubnetIds.split(',').sort()
    );
  });

  it('routes the public table to the internet gateway', async () => {
    const route = defaultRoute(await routeTable('PublicRouteTable'));

    expect(route?.GatewayId).toBe(stack.resources.InternetGateway);
  });

  it.each([
    ['PrivateRouteTable1', 'NatGateway1'],
    ['PrivateRouteTable2', 'NatGateway2'],
  ])('routes %s to %s of its own zone', async (table, nat) => {
    const route = defaultRoute(await routeTable(table));

    expect(route?.NatGatewayId).toBe(stack.resources[nat]);
  });

  it('gives the database table no route to the internet', async () => {
    const table = await routeTable('DatabaseRouteTable');

    expect(table?.Routes?.map((r) => r.DestinationCidrBlock)).toEqual([
      '10.0.0.0/16',
    ]);
  });

  // The emulator records no association made through CloudFormation, so
  // which subnet uses which table is checked on the template.
  it('associates every subnet with the table of its tier and zone', () => {
    const template = loadTemplate(file);
    const pairs = resourcesOfType(
      template,
      'AWS::EC2::SubnetRouteTableAssociation'
    )
      .map(([, r]) => {
        const { SubnetId, RouteTableId } = r.Properties as Record<
          string,
          { Ref: string }
        >;

        return `${SubnetId.Ref} -> ${RouteTableId.Ref}`;
      })
      .sort();

    expect(pairs).toEqual([
      'DatabaseSubnet1 -> DatabaseRouteTable',
      'DatabaseSubnet2 -> DatabaseRouteTable',
      'PrivateSubnet1 -> PrivateRouteTable1',
      'PrivateSubnet2 -> PrivateRouteTable2',
      'PublicSubnet1 -> PublicRouteTable',
      'PublicSubnet2 -> PublicRouteTable',
    ]);
  });

  it('allows exactly the ingress rules of each tier', async () => {
    const { AlbSecurityGroupId: alb, AppSecurityGroupId: app } = stack.outputs;
    const { SecurityGroups = [] } = await ec2().send(
      new DescribeSecurityGroupsCommand({
        Filters: [{ Name: 'vpc-id', Values: [stack.outputs.VpcId] }],
      })
    );
    const rules = Object.fromEntries(
      SecurityGroups.filter((g) => g.GroupName !== 'default').map((g) => [
        g.GroupName,
        ingressRules(g.IpPermissions),
      ])
    );

    expect(rules).toEqual({
      'alpha-alb': ['tcp:443:443 from 0.0.0.0/0', 'tcp:80:80 from 0.0.0.0/0'],
      'alpha-app': [`tcp:80:80 from ${alb}`],
      'alpha-database': [`tcp:5432:5432 from ${app}`],
      'alpha-bastion': [],
      'alpha-endpoints': ['tcp:443:443 from 10.0.0.0/16'],
    });
  });

  // The emulator keeps the default allow-all egress rule whatever the
  // template says, so the egress rules are checked on the template.
  it('limits egress to what each tier needs', () => {
    const template = loadTemplate(file);
    const egress = (group: string) => {
      const inline = (template.Resources[group].Properties
        .SecurityGroupEgress ?? []) as Record<string, unknown>[];
      const separate = resourcesOfType(
        template,
        'AWS::EC2::SecurityGroupEgress'
      )
        .map(([, r]) => r.Properties)
        .filter(
          (p) =>
            (p.GroupId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] === group
        );

      return [...inline, ...separate]
        .map((rule) => {
          const target = rule.CidrIp ?? rule.DestinationSecurityGroupId;
          const to =
            typeof target === 'string' ? target : JSON.stringify(target);

          return `${rule.IpProtocol}:${rule.FromPort}:${rule.ToPort} to ${to}`;
        })
        .sort();
    };

    expect(egress('AlbSecurityGroup')).toEqual([
      'tcp:80:80 to {"Fn::GetAtt":["AppSecurityGroup","GroupId"]}',
    ]);
    expect(egress('AppSecurityGroup')).toEqual([
      'tcp:443:443 to 0.0.0.0/0',
      'tcp:5432:5432 to {"Fn::GetAtt":["DatabaseSecurityGroup","GroupId"]}',
      'tcp:80:80 to 0.0.0.0/0',
    ]);
    expect(egress('BastionSecurityGroup')).toEqual([
      'tcp:443:443 to {"Ref":"VpcCidr"}',
    ]);
    for (const group of ['DatabaseSecurityGroup', 'EndpointSecurityGroup']) {
      expect(egress(group)).toEqual(['-1:undefined:undefined to 127.0.0.1/32']);
    }
  });

  it('creates the Session Manager endpoints in the private subnets', async () => {
    const { VpcEndpoints = [] } = await ec2().send(
      new DescribeVpcEndpointsCommand({
        Filters: [{ Name: 'vpc-id', Values: [stack.outputs.VpcId] }],
      })
    );

    expect(
      VpcEndpoints.map((e) => ({
        service: e.ServiceName,
        type: e.VpcEndpointType,
        privateDns: e.PrivateDnsEnabled,
        subnets: [...(e.SubnetIds ?? [])].sort(),
      })).sort((a, b) => String(a.service).localeCompare(String(b.service)))
    ).toEqual(
      ['ec2messages', 'ssm', 'ssmmessages'].map((name) => ({
        service: `com.amazonaws.us-east-1.${name}`,
        type: 'Interface',
        privateDns: true,
        subnets: stack.outputs.PrivateSubnetIds.split(',').sort(),
      }))
    );
  });

  it('shares one NAT gateway when SingleNatGateway is true', async () => {
    const single = await createStack(
      'solo-network',
      file,
      networkParameters('solo', { SingleNatGateway: 'true' })
    );
    const { NatGateways = [] } = await ec2().send(
      new DescribeNatGatewaysCommand({
        Filter: [{ Name: 'vpc-id', Values: [single.outputs.VpcId] }],
      })
    );
    const { RouteTables = [] } = await ec2().send(
      new DescribeRouteTablesCommand({
        RouteTableIds: [
          single.resources.PrivateRouteTable1,
          single.resources.PrivateRouteTable2,
        ],
      })
    );

    expect(NatGateways.map((n) => n.SubnetId)).toEqual([
      single.outputs.PublicSubnetIds.split(',')[0],
    ]);
    expect(RouteTables.map((t) => defaultRoute(t)?.NatGatewayId)).toEqual([
      NatGateways[0]?.NatGatewayId,
      NatGateways[0]?.NatGatewayId,
    ]);
  });

  it('lets a second environment share the account without collisions', async () => {
    const other = await createStack(
      'beta-network',
      file,
      networkParameters('beta')
    );
    const { SecurityGroups = [] } = await ec2().send(
      new DescribeSecurityGroupsCommand({
        Filters: [{ Name: 'vpc-id', Values: [other.outputs.VpcId] }],
      })
    );

    expect(other.outputs.VpcId).not.toBe(stack.outputs.VpcId);
    expect(
      SecurityGroups.map((g) => g.GroupName)
        .filter((name) => name !== 'default')
        .sort()
    ).toEqual(
      ['alb', 'app', 'bastion', 'database', 'endpoints'].map((n) => `beta-${n}`)
    );
  });
});
