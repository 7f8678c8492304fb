import { readdirSync } from 'node:fs';
import { loadTemplate, templateBody, templatePath } from '../support/cfn-yaml';
import {
  awsManagedPolicies,
  boundedRoleWrites,
  checkTemplate,
  type LocatedStatement,
  managedPolicyCeilings,
  policyStatements,
  type Rule,
  starResourceActions,
  wildcardActions,
} from '../support/least-privilege';

/**
 * Least privilege of every IAM policy haven writes: named actions on
 * scoped resources, "*" only where nothing narrower exists and a comment
 * says so, and role writes of the CloudFormation service role only under a
 * permissions boundary that itself grants no IAM, so no environment can
 * mint an administrator.
 */

const tierTemplates = readdirSync(templatePath('templates'))
  .filter((file) => file.endsWith('.yaml'))
  .map((file) => `templates/${file}`);
const templates = ['template.yaml', ...tierTemplates];

function statementsOf(file: string): LocatedStatement[] {
  return policyStatements(templateBody(file)).statements;
}

function actionsOf(located: LocatedStatement): string[] {
  const { Action } = located.statement;

  return Array.isArray(Action) ? Action : Action ? [Action] : [];
}

describe('least privilege', () => {
  it.each(templates)('finds nothing to object to in %s', (file) => {
    expect(checkTemplate(templateBody(file))).toEqual([]);
  });

  it('reads the policies of every template', () => {
    expect(statementsOf('template.yaml').length).toBeGreaterThan(50);
    expect(statementsOf('templates/compute.yaml').length).toBeGreaterThan(5);
  });
});

describe('the CloudFormation service role', () => {
  const template = loadTemplate('template.yaml');
  const [roleId, role] =
    Object.entries(template.Resources).find(([, resource]) =>
      JSON.stringify(
        (resource.Properties.AssumeRolePolicyDocument as object) ?? {}
      ).includes('cloudformation.amazonaws.com')
    ) ?? [];
  const arns = (role?.Properties.ManagedPolicyArns ?? []) as { Ref?: string }[];
  const attached = arns
    .map((arn) => arn.Ref)
    .filter((ref) => ref !== undefined);
  const statements = statementsOf('template.yaml').filter((located) =>
    attached.includes(located.resource)
  );
  const allows = statements.filter((s) => s.statement.Effect === 'Allow');
  const startStack = template.Resources.StartStackFunction.Properties
    .Environment as { Variables: Record<string, { Ref?: string }> };
  const passedBoundaries = [
    startStack.Variables.PERMISSIONS_BOUNDARY_ARN.Ref,
    startStack.Variables.EKS_PERMISSIONS_BOUNDARY_ARN.Ref,
  ];

  it('is one role whose policies are all haven own', () => {
    expect(roleId).toBe('CloudFormationServiceRole');
    expect(attached).toHaveLength(arns.length);
    expect(role?.Properties.Policies).toBeUndefined();
  });

  it.each(boundedRoleWrites)(
    'may call %s only with a boundary start-stack passes',
    (action) => {
      const granting = allows.filter((s) => actionsOf(s).includes(action));
      const boundaries = granting.map(
        (s) =>
          (
            s.statement.Condition?.StringEquals?.[
              'iam:PermissionsBoundary'
            ] as { Ref: string }
          )?.Ref
      );

      expect(granting.length).toBeGreaterThan(0);
      expect(boundaries.every((b) => passedBoundaries.includes(b))).toBe(true);
    }
  );

  it('cannot remove a boundary or change what a policy grants', () => {
    const granted = allows.flatMap(actionsOf);

    expect(granted).not.toContain('iam:DeleteRolePermissionsBoundary');
    expect(granted).not.toContain('iam:CreatePolicyVersion');
    expect(granted).not.toContain('iam:SetDefaultPolicyVersion');
    expect(
      granted.filter((a) => a.startsWith('iam:') && a.includes('*'))
    ).toEqual([]);
  });

  it('is given boundaries that grant no IAM but linked roles', () => {
    for (const id of passedBoundaries) {
      const granted = statementsOf('template.yaml')
        .filter((s) => s.resource === id)
        .flatMap(actionsOf)
        .filter((action) => /^(iam|sts):/.test(action));

      expect({ id, granted: [...new Set(granted)] }).toEqual({
        id,
        granted:
          id === 'EksPermissionsBoundary'
            ? ['iam:CreateServiceLinkedRole']
            : [],
      });
    }
  });
});

describe('the roles of the tier templates', () => {
  const roles = tierTemplates.flatMap((file) =>
    Object.entries(loadTemplate(file).Resources)
      .filter(([, resource]) => resource.Type === 'AWS::IAM::Role')
      .map(([id, resource]) => [`${file} ${id}`, resource] as const)
  );

  it.each(roles)('%s carries the permissions boundary', (_, role) => {
    expect(role.Properties.PermissionsBoundary).toEqual({
      'Fn::If': [
        'HasPermissionsBoundary',
        { Ref: 'PermissionsBoundaryArn' },
        { Ref: 'AWS::NoValue' },
      ],
    });
  });
});

/** A one-resource template around a policy statement written in YAML. */
function managedPolicy(statement: string, extra = ''): string {
  const indented = statement
    .trim()
    .split('\n')
    .map((line) => `          ${line}`)
    .join('\n');

  return `Resources:
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
${indented}
${extra}`;
}

const bounded = `
  Boundary:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Sid: Grants
            Effect: Allow
            Action: iam:PutRolePolicy
            Resource: !Sub 'arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/x'
`;

const badPolicies: { name: string; yaml: string; rule: Rule }[] = [
  {
    name: 'every action',
    rule: 'wildcard-action',
    yaml: managedPolicy(`
- Effect: Allow
  Action: '*'
  Resource: !Sub 'arn:\${AWS::Partition}:s3:::bucket'`),
  },
  {
    name: 'a whole service',
    rule: 'wildcard-action',
    yaml: managedPolicy(`
- Effect: Allow
  Action: s3:*
  Resource: !Sub 'arn:\${AWS::Partition}:s3:::bucket'`),
  },
  {
    name: 'a Get* wildcard',
    rule: 'wildcard-action',
    yaml: managedPolicy(`
- Effect: Allow
  Action: s3:Get*
  Resource: !Sub 'arn:\${AWS::Partition}:s3:::bucket/*'`),
  },
  {
    name: 'NotAction',
    rule: 'not-action',
    yaml: managedPolicy(`
- Effect: Allow
  NotAction: iam:CreateUser
  Resource: !Sub 'arn:\${AWS::Partition}:s3:::bucket'`),
  },
  {
    name: '"*" for an action that takes an ARN',
    rule: 'star-resource',
    yaml: managedPolicy(`
# Reads any object.
- Effect: Allow
  Action: s3:GetObject
  Resource: '*'`),
  },
  {
    name: '"*" without a comment above',
    rule: 'uncommented-star',
    yaml: managedPolicy(`
- Effect: Allow
  Action: ec2:DescribeVpcs
  Resource: '*'`),
  },
  {
    name: 'a whole service of the account without a comment',
    rule: 'uncommented-star',
    yaml: managedPolicy(`
- Effect: Allow
  Action: ec2:CreateTags
  Resource: !Sub 'arn:\${AWS::Partition}:ec2:\${AWS::Region}:\${AWS::AccountId}:*'`),
  },
  {
    name: 'any account',
    rule: 'unscoped-arn',
    yaml: managedPolicy(`
- Effect: Allow
  Action: sqs:SendMessage
  Resource: !Sub 'arn:\${AWS::Partition}:sqs:\${AWS::Region}:*:queue'`),
  },
  {
    name: 'a hard-coded partition',
    rule: 'unscoped-arn',
    yaml: managedPolicy(`
- Effect: Allow
  Action: sqs:SendMessage
  Resource: arn:aws:sqs:us-east-1:123456789012:queue`),
  },
  {
    name: 'a key created without a condition',
    rule: 'needs-condition',
    yaml: managedPolicy(`
# CreateKey has no resource.
- Effect: Allow
  Action: kms:CreateKey
  Resource: '*'`),
  },
  {
    name: 'CreateRole without a boundary',
    rule: 'unbounded-role-write',
    yaml: managedPolicy(`
- Effect: Allow
  Action: iam:CreateRole
  Resource: !Sub 'arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/x-app'`),
  },
  {
    name: 'AttachRolePolicy under any boundary name',
    rule: 'unbounded-role-write',
    yaml: managedPolicy(`
- Effect: Allow
  Action: iam:AttachRolePolicy
  Resource: !Sub 'arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/x-app'
  Condition:
    StringLike:
      iam:PermissionsBoundary: '*'`),
  },
  {
    name: 'removing a boundary',
    rule: 'forbidden-iam',
    yaml: managedPolicy(`
- Effect: Allow
  Action: iam:DeleteRolePermissionsBoundary
  Resource: !Sub 'arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/x-app'`),
  },
  {
    name: 'a new version of a policy',
    rule: 'forbidden-iam',
    yaml: managedPolicy(`
- Effect: Allow
  Action: iam:CreatePolicyVersion
  Resource: !Sub 'arn:\${AWS::Partition}:iam::\${AWS::AccountId}:policy/x'`),
  },
  {
    name: 'PassRole to any service',
    rule: 'unconditioned-pass-role',
    yaml: managedPolicy(`
- Effect: Allow
  Action: iam:PassRole
  Resource: !Sub 'arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/x-app'`),
  },
  {
    name: 'a linked role of any service',
    rule: 'unconditioned-linked-role',
    yaml: managedPolicy(`
- Effect: Allow
  Action: iam:CreateServiceLinkedRole
  Resource: !Sub 'arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/aws-service-role/*'`),
  },
  {
    name: 'a boundary that grants IAM writes',
    rule: 'boundary-grants-iam',
    yaml: managedPolicy(
      `
- Effect: Allow
  Action: iam:CreateRole
  Resource: !Sub 'arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/x-app'
  Condition:
    StringEquals:
      iam:PermissionsBoundary: !Ref Boundary`,
      bounded
    ),
  },
  {
    name: 'a SAM function with a managed policy by name',
    rule: 'opaque-policy',
    yaml: `Resources:
  Function:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - AdministratorAccess
`,
  },
  {
    name: 'a role with an AWS managed policy off the list',
    rule: 'unlisted-managed-policy',
    yaml: `Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      ManagedPolicyArns:
        - !Sub 'arn:\${AWS::Partition}:iam::aws:policy/AdministratorAccess'
`,
  },
];

describe('checkTemplate', () => {
  it.each(badPolicies)('rejects $name', ({ yaml, rule }) => {
    const rules = checkTemplate(yaml).map((finding) => finding.rule);

    expect(rules).toContain(rule);
  });

  it('accepts a bounded role write, a commented "*" and a Deny', () => {
    const yaml = managedPolicy(
      `
# EC2's reads have no resource-level permissions.
- Sid: Read
  Effect: Allow
  Action: ec2:DescribeVpcs
  Resource: '*'
- Sid: Create
  Effect: Allow
  Action: iam:CreateRole
  Resource: !Sub 'arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/x-app'
  Condition:
    StringEquals:
      iam:PermissionsBoundary: !Ref Boundary
- Sid: DenyAll
  Effect: Deny
  Action: '*'
  Resource: '*'`,
      bounded.replace('iam:PutRolePolicy', 's3:GetObject')
    );

    expect(checkTemplate(yaml)).toEqual([]);
  });

  it('reads the comment above the statement, not one further up', () => {
    const yaml = managedPolicy(`
# About the first statement only.
- Sid: First
  Effect: Allow
  Action: ec2:DescribeVpcs
  Resource: '*'
- Sid: Second
  Effect: Allow
  Action: ec2:DescribeSubnets
  Resource: '*'`);

    expect(checkTemplate(yaml)).toEqual([
      expect.objectContaining({
        where: 'Policy/Second',
        rule: 'uncommented-star',
      }),
    ]);
  });
});

describe('the allow-lists', () => {
  const reasons = [
    ...Object.values(starResourceActions).map((entry) => entry.reason),
    ...Object.values(wildcardActions),
    ...Object.values(awsManagedPolicies),
  ];

  it('give every entry a reason', () => {
    expect(reasons.filter((reason) => reason.trim().length < 12)).toEqual([]);
  });

  it('let no IAM or STS action through on "*" or as a wildcard', () => {
    const keys = [
      ...Object.keys(starResourceActions),
      ...Object.keys(wildcardActions),
    ];

    expect(keys.filter((key) => /^(iam|sts):|^\*$/.test(key))).toEqual([]);
  });

  it('mirror in the ceilings only IAM linked roles, which need a condition', () => {
    const iam = Object.values(managedPolicyCeilings)
      .flat()
      .filter((action) => action.startsWith('iam:'));

    expect(iam).toEqual(['iam:CreateServiceLinkedRole']);
  });
});
