import {
  type CfnResource,
  type CfnTemplate,
  loadTemplate,
  templateBody,
} from '../support/cfn-yaml';

const templateFiles = [
  'templates/network.yaml',
  'templates/data.yaml',
  'templates/compute.yaml',
] as const;

/** The Lambda of the workflow passes each template inline as TemplateBody. */
const maxTemplateBodyBytes = 51_200;

const sectionOrder = [
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Conditions',
  'Resources',
  'Outputs',
];

/**
 * Types that take no tags at all. AWS::SSM::Parameter takes them in
 * CloudFormation, but the emulator fails on their map form, so the data
 * tier leaves them out and its name carries the environment instead.
 */
const untaggedTypes = new Set([
  'AWS::EC2::VPCGatewayAttachment',
  'AWS::EC2::Route',
  'AWS::EC2::SubnetRouteTableAssociation',
  'AWS::EC2::SecurityGroupIngress',
  'AWS::EC2::SecurityGroupEgress',
  'AWS::ElasticLoadBalancingV2::Listener',
  'AWS::IAM::InstanceProfile',
  'AWS::AutoScaling::ScalingPolicy',
  'AWS::S3::BucketPolicy',
  'AWS::SSM::Parameter',
]);

const havenTags = (environment: string, owner: string) => ({
  'haven:environment': { Ref: environment },
  'haven:owner': { Ref: owner },
  'haven:managed-by': 'haven',
});

type Tag = { Key: string; Value: unknown };

/** The tags a resource carries on itself, whatever its type's shape. */
function tagsOf(resource: CfnResource): Tag[] | undefined {
  if (resource.Type === 'AWS::EC2::LaunchTemplate') {
    const specifications = resource.Properties.TagSpecifications as
      | { ResourceType: string; Tags: Tag[] }[]
      | undefined;

    return specifications?.find((s) => s.ResourceType === 'launch-template')
      ?.Tags;
  }

  return resource.Properties.Tags as Tag[] | undefined;
}

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') {
    return Object.values(value).flatMap(stringsIn);
  }

  return [];
}

describe.each(templateFiles)('%s', (file) => {
  const body = templateBody(file);
  const template: CfnTemplate = loadTemplate(file);

  it('stays under the inline TemplateBody limit', () => {
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThan(maxTemplateBodyBytes);
  });

  it('keeps every line within 100 characters', () => {
    const long = body.split('\n').filter((line) => line.length > 100);

    expect(long).toEqual([]);
  });

  it('holds no literal password and no bare TODO', () => {
    // ManageMasterUserPassword is the opposite of a literal password.
    const rest = body.replaceAll('ManageMasterUserPassword: true', '');

    expect(rest).not.toMatch(/MasterUserPassword/);
    expect(rest).not.toMatch(/^\s*[\w-]*password\s*:\s*\S/im);
    expect(body).not.toMatch(/\b(TODO|FIXME)\b/);
  });

  it('orders its sections as the project does', () => {
    const order = sectionOrder.filter((section) => section in template);

    expect(Object.keys(template)).toEqual(order);
    expect(Object.keys(template).slice(0, 4)).toEqual(sectionOrder.slice(0, 4));
  });

  it('groups every parameter in the console interface', () => {
    const face = template.Metadata?.['AWS::CloudFormation::Interface'] as
      | { ParameterGroups: { Parameters: string[] }[] }
      | undefined;
    const groups = face?.ParameterGroups ?? [];
    const grouped = groups.flatMap((group) => group.Parameters).sort();

    expect(grouped).toEqual(Object.keys(template.Parameters).sort());
  });

  it('describes every parameter and explains every constraint', () => {
    for (const [name, parameter] of Object.entries(template.Parameters)) {
      expect({ name, description: parameter.Description }).toEqual({
        name,
        description: expect.stringMatching(/\S/),
      });
      if (parameter.AllowedPattern || parameter.AllowedValues) {
        expect({ name, why: parameter.ConstraintDescription }).toEqual({
          name,
          why: expect.stringMatching(/\S/),
        });
      }
    }
  });

  it('constrains EnvironmentName to 3-20 lowercase characters', () => {
    const pattern = new RegExp(
      template.Parameters.EnvironmentName.AllowedPattern ?? ''
    );

    expect(
      ['abc', 'team-a-prod', 'a'.repeat(20)].map((n) => pattern.test(n))
    ).toEqual([true, true, true]);
    expect(
      ['ab', 'a'.repeat(21), 'Prod', '1abc', 'abc-', 'a_b'].map((n) =>
        pattern.test(n)
      )
    ).toEqual([false, false, false, false, false, false]);
    expect(template.Parameters.Owner).toMatchObject({
      Type: 'String',
      MaxLength: 256,
    });
  });

  it('describes every output', () => {
    for (const [name, output] of Object.entries(template.Outputs)) {
      expect({ name, description: output.Description }).toEqual({
        name,
        description: expect.stringMatching(/\S/),
      });
    }
  });

  it('tags every resource that takes tags with the haven tags', () => {
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (untaggedTypes.has(resource.Type)) continue;
      const tags = tagsOf(resource);

      expect({ logicalId, tags }).toEqual({
        logicalId,
        tags: expect.arrayContaining(
          Object.entries(havenTags('EnvironmentName', 'Owner')).map(
            ([Key, Value]) => expect.objectContaining({ Key, Value })
          )
        ),
      });
    }
  });

  it('builds ARNs with the partition, never with a literal aws', () => {
    const arns = stringsIn(template.Resources).filter((s) =>
      s.startsWith('arn:')
    );

    for (const arn of arns) expect(arn).toMatch(/^arn:\$\{AWS::Partition\}:/);
  });

  it('prefixes every explicit name with the environment name', () => {
    const nameProperties = [
      'AlarmName',
      'AutoScalingGroupName',
      'BucketName',
      'DBInstanceIdentifier',
      'DBSubnetGroupName',
      'GroupName',
      'InstanceProfileName',
      'LaunchTemplateName',
      'LogGroupName',
      'Name',
      'RoleName',
      'TopicName',
    ];
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      for (const property of nameProperties) {
        // A Ref names another resource, which is checked on its own.
        const value = resource.Properties[property] as
          | { 'Fn::Sub'?: unknown }
          | undefined;
        if (value?.['Fn::Sub'] === undefined) continue;

        expect({ logicalId, name: stringsIn(value['Fn::Sub'])[0] }).toEqual({
          logicalId,
          name: expect.stringMatching(
            /^(\/?haven\/)?\$\{EnvironmentName\}[-/]/
          ),
        });
      }
    }
  });
});
