// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are
// CloudFormation Fn::Sub expressions, not JavaScript templates.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../local/emulator';
import { loadTemplate, resourcesOfType } from '../support/cfn-yaml';

const file = 'templates/eks.yaml';
const template = loadTemplate(file);

function only(type: string) {
  const found = resourcesOfType(template, type);
  expect(found).toHaveLength(1);

  return (found[0] as [string, { Properties: Record<string, unknown> }])[1]
    .Properties;
}

const havenTags = [
  { Key: 'haven:environment', Value: { Ref: 'EnvironmentName' } },
  { Key: 'haven:owner', Value: { Ref: 'Owner' } },
  { Key: 'haven:managed-by', Value: 'haven' },
];

describe('templates/eks.yaml', () => {
  it('passes cfn-lint without errors or warnings', () => {
    const lint = spawnSync(join(repoRoot, '.venv', 'bin', 'cfn-lint'), [file], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 50_000,
    });

    expect({ code: lint.status, output: lint.stdout }).toEqual({
      code: 0,
      output: '',
    });
  });

  it('takes the parameters the workflow passes, with the sizes asked for', () => {
    const p = template.Parameters;

    expect(Object.keys(p)).toEqual(
      expect.arrayContaining([
        'EnvironmentName',
        'Owner',
        'PrivateSubnetIds',
        'VpcId',
        'DatabaseSecurityGroupId',
        'KubernetesVersion',
        'NodeInstanceType',
        'NodeMin',
        'NodeDesired',
        'NodeMax',
        'HelmFunctionRoleArn',
      ])
    );
    expect(p.KubernetesVersion?.Default).toBe('1.35');
    expect(p.NodeInstanceType?.Default).toBe('t3.medium');
    expect(
      [p.NodeMin, p.NodeDesired, p.NodeMax].map((x) => x?.Default)
    ).toEqual([1, 2, 2]);
    for (const parameter of Object.values(p)) {
      expect(parameter.Description).toEqual(expect.any(String));
    }
  });

  it('puts the cluster on the private subnets with API_AND_CONFIG_MAP', () => {
    const cluster = only('AWS::EKS::Cluster');

    expect(cluster.Version).toEqual({ Ref: 'KubernetesVersion' });
    expect(cluster.ResourcesVpcConfig).toMatchObject({
      SubnetIds: { Ref: 'PrivateSubnetIds' },
      EndpointPrivateAccess: true,
    });
    expect(cluster.AccessConfig).toEqual({
      AuthenticationMode: 'API_AND_CONFIG_MAP',
      BootstrapClusterCreatorAdminPermissions: false,
    });
  });

  it('gives the Helm function role cluster admin through an access entry', () => {
    const entry = only('AWS::EKS::AccessEntry');

    expect(entry.PrincipalArn).toEqual({ Ref: 'HelmFunctionRoleArn' });
    expect(entry.AccessPolicies).toEqual([
      {
        PolicyArn: {
          'Fn::Sub':
            'arn:${AWS::Partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
        },
        AccessScope: { Type: 'cluster' },
      },
    ]);
  });

  it('runs a managed node group of 1 to 2 nodes on the private subnets', () => {
    const nodes = only('AWS::EKS::Nodegroup');

    expect(nodes.Subnets).toEqual({ Ref: 'PrivateSubnetIds' });
    expect(nodes.InstanceTypes).toEqual([{ Ref: 'NodeInstanceType' }]);
    expect(nodes.ScalingConfig).toEqual({
      MinSize: { Ref: 'NodeMin' },
      DesiredSize: { Ref: 'NodeDesired' },
      MaxSize: { Ref: 'NodeMax' },
    });
  });

  it('installs the metrics server the app autoscaler needs', () => {
    expect(only('AWS::EKS::Addon').AddonName).toBe('metrics-server');
  });

  it('admits the cluster security group to the database on 5432 only', () => {
    expect(only('AWS::EC2::SecurityGroupIngress')).toMatchObject({
      GroupId: { Ref: 'DatabaseSecurityGroupId' },
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      SourceSecurityGroupId: {
        'Fn::GetAtt': ['Cluster', 'ClusterSecurityGroupId'],
      },
    });
  });

  it('names both roles after the environment', () => {
    const names = resourcesOfType(template, 'AWS::IAM::Role').map(
      ([, role]) => role.Properties.RoleName
    );

    expect(names).toEqual([
      { 'Fn::Sub': '${EnvironmentName}-eks-cluster' },
      { 'Fn::Sub': '${EnvironmentName}-eks-node' },
    ]);
  });

  it.each(
    Object.entries(template.Resources).filter(
      ([, r]) => r.Type !== 'AWS::EC2::SecurityGroupIngress'
    )
  )('tags %s with the haven tags', (_id, resource) => {
    const tags = resource.Properties.Tags;
    if (resource.Type === 'AWS::EKS::Nodegroup') {
      expect(tags).toEqual({
        'haven:environment': { Ref: 'EnvironmentName' },
        'haven:owner': { Ref: 'Owner' },
        'haven:managed-by': 'haven',
      });
    } else {
      expect(tags).toEqual(havenTags);
    }
  });

  it('outputs the cluster name and its security group', () => {
    expect(template.Outputs.ClusterName?.Value).toEqual({ Ref: 'Cluster' });
    expect(template.Outputs.ClusterSecurityGroupId?.Value).toEqual({
      'Fn::GetAtt': ['Cluster', 'ClusterSecurityGroupId'],
    });
  });
});
