import { parseDocument } from 'yaml';
import { parseTemplate } from '../../local/cfn-yaml';

/**
 * The least-privilege rules every IAM policy of haven's templates must
 * keep, as one checking function over a template's text. The text and not
 * only its parsed tree, because a "*" resource must be explained by a
 * comment right above its statement, and comments live only in the text.
 *
 * Resource-based policies (key, bucket and topic policies) are not read:
 * their "*" means the resource that holds them, and their principals are
 * checked where they are written.
 */

/** Why an action may be granted on "*", keyed by action or `Prefix*`. */
export interface StarAllowance {
  reason: string;
  /** The statement must narrow the action with a Condition. */
  needsCondition?: boolean;
}

/**
 * Actions that accept no resource narrower than "*". A trailing `*` in a
 * key stands for every action with that prefix.
 */
export const starResourceActions: Record<string, StarAllowance> = {
  'ec2:Describe*': { reason: "EC2's reads have no resource-level permissions" },
  'elasticloadbalancing:Describe*': {
    reason: "Elastic Load Balancing's reads have no resource-level permissions",
  },
  'autoscaling:Describe*': {
    reason: "Auto Scaling's reads have no resource-level permissions",
  },
  'cloudwatch:PutMetricData': { reason: 'metrics belong to no resource' },
  'cloudwatch:GetMetricData': { reason: 'metric reads belong to no resource' },
  'xray:PutTraceSegments': { reason: 'X-Ray writes have no resource type' },
  'xray:PutTelemetryRecords': { reason: 'X-Ray writes have no resource type' },
  'xray:GetSamplingRules': { reason: 'sampling reads have no resource type' },
  'xray:GetSamplingTargets': { reason: 'sampling reads have no resource type' },
  'logs:CreateLogDelivery': { reason: 'vended log deliveries have no ARN' },
  'logs:GetLogDelivery': { reason: 'vended log deliveries have no ARN' },
  'logs:UpdateLogDelivery': { reason: 'vended log deliveries have no ARN' },
  'logs:DeleteLogDelivery': { reason: 'vended log deliveries have no ARN' },
  'logs:ListLogDeliveries': { reason: 'vended log deliveries have no ARN' },
  'logs:PutResourcePolicy': {
    reason: "the account's log resource policy has no ARN",
  },
  'logs:DescribeResourcePolicies': {
    reason: "the account's log resource policy has no ARN",
  },
  'logs:DescribeLogGroups': {
    reason: 'in the set Step Functions documents for log delivery on "*"',
  },
  'rds:DescribeDBEngineVersions': { reason: "AWS's engine catalogue" },
  'rds:DescribeDBParameterGroups': {
    reason: "CloudFormation's RDS handler lists them without an identifier",
  },
  'rds:DescribeDBSnapshots': {
    reason: "CloudFormation's RDS handler lists them without an identifier",
  },
  'rds:DescribeEvents': {
    reason: "CloudFormation's RDS handler lists them without an identifier",
  },
  'ssm:DescribeParameters': { reason: 'no resource-level permissions' },
  'secretsmanager:GetRandomPassword': { reason: 'concerns no resource' },
  'eks:DescribeAddonVersions': { reason: "AWS's add-on catalogue" },
  'eks:DescribeAddonConfiguration': { reason: "AWS's add-on catalogue" },
  'kms:CreateKey': {
    reason: 'the key does not exist yet; a request tag narrows it',
    needsCondition: true,
  },
  'kms:TagResource': {
    reason: "CreateKey's tags are authorised before the key has an ARN",
    needsCondition: true,
  },
};

/**
 * Action wildcards allowed at all, each with why. Every other action is
 * named, so a new action of a service is never granted unseen.
 */
export const wildcardActions: Record<string, string> = {
  'ec2:Describe*':
    'read-only, in the EKS boundary: AWS adds reads to the EKS managed ' +
    'policies, and a ceiling that lags fails inside the cluster, not at ' +
    'deploy time',
};

/**
 * What the AWS managed policies that environments' roles carry grant on
 * "*". A permissions boundary mirrors them as its ceiling, so these may be
 * "*" in a boundary, and only there.
 */
export const managedPolicyCeilings: Record<string, readonly string[]> = {
  AmazonSSMManagedInstanceCore: [
    'ssm:DescribeAssociation',
    'ssm:GetDeployablePatchSnapshotForInstance',
    'ssm:GetDocument',
    'ssm:DescribeDocument',
    'ssm:GetManifest',
    'ssm:GetParameter',
    'ssm:GetParameters',
    'ssm:ListAssociations',
    'ssm:ListInstanceAssociations',
    'ssm:PutInventory',
    'ssm:PutComplianceItems',
    'ssm:PutConfigurePackageResult',
    'ssm:UpdateAssociationStatus',
    'ssm:UpdateInstanceAssociationStatus',
    'ssm:UpdateInstanceInformation',
    'ssmmessages:CreateControlChannel',
    'ssmmessages:CreateDataChannel',
    'ssmmessages:OpenControlChannel',
    'ssmmessages:OpenDataChannel',
    'ec2messages:AcknowledgeMessage',
    'ec2messages:DeleteMessage',
    'ec2messages:FailMessage',
    'ec2messages:GetEndpoint',
    'ec2messages:GetMessages',
    'ec2messages:SendReply',
  ],
  AmazonEKSClusterPolicy: [
    'autoscaling:UpdateAutoScalingGroup',
    'ec2:AttachVolume',
    'ec2:AuthorizeSecurityGroupIngress',
    'ec2:CreateRoute',
    'ec2:CreateSecurityGroup',
    'ec2:CreateTags',
    'ec2:CreateVolume',
    'ec2:DeleteNetworkInterface',
    'ec2:DeleteRoute',
    'ec2:DeleteSecurityGroup',
    'ec2:DeleteVolume',
    'ec2:DetachVolume',
    'ec2:ModifyInstanceAttribute',
    'ec2:ModifyVolume',
    'ec2:RevokeSecurityGroupIngress',
    'elasticloadbalancing:AddTags',
    'elasticloadbalancing:ApplySecurityGroupsToLoadBalancer',
    'elasticloadbalancing:AttachLoadBalancerToSubnets',
    'elasticloadbalancing:ConfigureHealthCheck',
    'elasticloadbalancing:CreateListener',
    'elasticloadbalancing:CreateLoadBalancer',
    'elasticloadbalancing:CreateLoadBalancerListeners',
    'elasticloadbalancing:CreateLoadBalancerPolicy',
    'elasticloadbalancing:CreateTargetGroup',
    'elasticloadbalancing:DeleteListener',
    'elasticloadbalancing:DeleteLoadBalancer',
    'elasticloadbalancing:DeleteLoadBalancerListeners',
    'elasticloadbalancing:DeleteTargetGroup',
    'elasticloadbalancing:DeregisterInstancesFromLoadBalancer',
    'elasticloadbalancing:DeregisterTargets',
    'elasticloadbalancing:DetachLoadBalancerFromSubnets',
    'elasticloadbalancing:ModifyListener',
    'elasticloadbalancing:ModifyLoadBalancerAttributes',
    'elasticloadbalancing:ModifyTargetGroup',
    'elasticloadbalancing:ModifyTargetGroupAttributes',
    'elasticloadbalancing:RegisterInstancesWithLoadBalancer',
    'elasticloadbalancing:RegisterTargets',
    'elasticloadbalancing:SetLoadBalancerPoliciesForBackendServer',
    'elasticloadbalancing:SetLoadBalancerPoliciesOfListener',
    'kms:DescribeKey',
    // Under a condition on the service name, which the rules check.
    'iam:CreateServiceLinkedRole',
  ],
  AmazonEKSWorkerNodePolicy: [
    'eks:DescribeCluster',
    'eks-auth:AssumeRoleForPodIdentity',
  ],
  AmazonEKS_CNI_Policy: [
    'ec2:AssignPrivateIpAddresses',
    'ec2:AttachNetworkInterface',
    'ec2:CreateNetworkInterface',
    'ec2:DeleteNetworkInterface',
    'ec2:DetachNetworkInterface',
    'ec2:ModifyNetworkInterfaceAttribute',
    'ec2:UnassignPrivateIpAddresses',
  ],
  AmazonEC2ContainerRegistryReadOnly: [
    'ecr:GetAuthorizationToken',
    'ecr:BatchCheckLayerAvailability',
    'ecr:GetDownloadUrlForLayer',
    'ecr:GetRepositoryPolicy',
    'ecr:DescribeRepositories',
    'ecr:ListImages',
    'ecr:DescribeImages',
    'ecr:BatchGetImage',
    'ecr:GetLifecyclePolicy',
    'ecr:GetLifecyclePolicyPreview',
    'ecr:ListTagsForResource',
    'ecr:DescribeImageScanFindings',
  ],
};

/** AWS managed policies a role may attach, each with why. */
export const awsManagedPolicies: Record<string, string> = {
  AmazonSSMManagedInstanceCore:
    'Session Manager on instances; capped by the environment boundary',
  AmazonEKSClusterPolicy: "the EKS control plane's; capped by the boundary",
  AmazonEKSWorkerNodePolicy: "the EKS nodes'; capped by the boundary",
  AmazonEKS_CNI_Policy: "the VPC CNI's on the nodes; capped by the boundary",
  AmazonEC2ContainerRegistryReadOnly:
    'image pulls on the nodes; capped by the boundary',
  'service-role/AmazonAPIGatewayPushToCloudWatchLogs':
    "the one role API Gateway's account setting accepts for access logs",
};

/**
 * IAM writes that widen a role. They are granted only under a condition
 * that the role carries one of the template's permissions boundaries.
 */
export const boundedRoleWrites = [
  'iam:CreateRole',
  'iam:PutRolePolicy',
  'iam:AttachRolePolicy',
  'iam:PutRolePermissionsBoundary',
] as const;

/**
 * IAM writes no policy of haven grants: each removes a boundary, changes
 * what a managed policy grants, or makes a user, a group or a credential.
 */
export const forbiddenIamActions = [
  'iam:DeleteRolePermissionsBoundary',
  'iam:DeleteUserPermissionsBoundary',
  'iam:PutUserPermissionsBoundary',
  'iam:CreatePolicyVersion',
  'iam:SetDefaultPolicyVersion',
  'iam:CreateUser',
  'iam:CreateAccessKey',
  'iam:CreateLoginProfile',
  'iam:UpdateLoginProfile',
  'iam:PutUserPolicy',
  'iam:AttachUserPolicy',
  'iam:PutGroupPolicy',
  'iam:AttachGroupPolicy',
  'iam:AddUserToGroup',
] as const;

export type Rule =
  | 'wildcard-action'
  | 'not-action'
  | 'star-resource'
  | 'uncommented-star'
  | 'needs-condition'
  | 'unscoped-arn'
  | 'unreadable-resource'
  | 'unbounded-role-write'
  | 'forbidden-iam'
  | 'unconditioned-pass-role'
  | 'unconditioned-linked-role'
  | 'boundary-grants-iam'
  | 'opaque-policy'
  | 'unlisted-managed-policy';

export interface Finding {
  /** `Resource/Sid` (or the statement's index when it has no Sid). */
  where: string;
  rule: Rule;
  detail: string;
}

export interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** A statement of a permission policy and where it is written. */
export interface LocatedStatement {
  resource: string;
  where: string;
  statement: Statement;
  /** The line right above the statement is a `#` comment. */
  commented: boolean;
  /** The statement belongs to a permissions boundary of the template. */
  inBoundary: boolean;
}

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: unknown;
}

type Path = (string | number)[];

function list<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) {
    return [];
  }

  return Array.isArray(value) ? value : [value];
}

function refOf(value: unknown): string | undefined {
  if (typeof value === 'object' && value !== null && 'Ref' in value) {
    const ref = (value as { Ref: unknown }).Ref;

    return typeof ref === 'string' ? ref : undefined;
  }

  return undefined;
}

/** The documents of permission policies a resource holds, with paths. */
function documentsOf(
  id: string,
  resource: Resource,
  findings: Finding[]
): { path: Path; document: { Statement?: unknown } }[] {
  const properties = resource.Properties ?? {};
  const base: Path = ['Resources', id, 'Properties'];
  switch (resource.Type) {
    case 'AWS::IAM::Role':
      return list(properties.Policies as { PolicyDocument: object }[]).map(
        (policy, index) => ({
          path: [...base, 'Policies', index, 'PolicyDocument'],
          document: policy.PolicyDocument,
        })
      );
    case 'AWS::IAM::ManagedPolicy':
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::RolePolicy':
      return [
        {
          path: [...base, 'PolicyDocument'],
          document: properties.PolicyDocument as object,
        },
      ];
    case 'AWS::Serverless::Function':
    case 'AWS::Serverless::StateMachine': {
      const policies = properties.Policies;
      if (policies === undefined) {
        return [];
      }
      const items = Array.isArray(policies) ? policies : [policies];
      const documents: { path: Path; document: object }[] = [];
      items.forEach((item, index) => {
        const path = Array.isArray(policies)
          ? [...base, 'Policies', index]
          : [...base, 'Policies'];
        if (typeof item === 'object' && item !== null && 'Statement' in item) {
          documents.push({ path, document: item });
        } else {
          // A managed policy's name or a SAM policy template: what it
          // grants is not in the template, so this test cannot vouch for it.
          findings.push({
            where: `${id}/Policies/${index}`,
            rule: 'opaque-policy',
            detail: `${JSON.stringify(item)} is not a policy statement`,
          });
        }
      });

      return documents;
    }
    default:
      return [];
  }
}

/** Every statement of every permission policy in a template's text. */
export function policyStatements(text: string): {
  statements: LocatedStatement[];
  template: { Resources: Record<string, Resource> };
  findings: Finding[];
} {
  const template = parseTemplate(text) as {
    Resources: Record<string, Resource>;
  };
  // Only node positions are read from this tree; the short-form tags that
  // it cannot resolve do not matter for them.
  const document = parseDocument(text);
  const lines = text.split('\n');
  const boundaries = boundaryIds(template);
  const findings: Finding[] = [];
  const statements: LocatedStatement[] = [];
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    for (const { path, document: policy } of documentsOf(
      id,
      resource,
      findings
    )) {
      const many = Array.isArray(policy.Statement);
      list(policy.Statement as Statement | Statement[]).forEach(
        (statement, index) => {
          const statementPath = many
            ? [...path, 'Statement', index]
            : [...path, 'Statement'];
          const node = document.getIn(statementPath, true) as
            | { range?: [number, number, number] }
            | undefined;
          const start = node?.range?.[0] ?? 0;
          const line = text.slice(0, start).split('\n').length - 1;
          const above = lines[line - 1]?.trim() ?? '';
          statements.push({
            resource: id,
            where: `${id}/${statement.Sid ?? `Statement${index}`}`,
            statement,
            commented: above.startsWith('#'),
            inBoundary: boundaries.has(id),
          });
        }
      );
    }
  }

  return { statements, template, findings };
}

/**
 * The template's permissions boundaries: the managed policies that an
 * `iam:PermissionsBoundary` condition names.
 */
function boundaryIds(template: {
  Resources: Record<string, Resource>;
}): Set<string> {
  const ids = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'iam:PermissionsBoundary') {
          for (const item of list(inner)) {
            const ref = refOf(item);
            if (
              ref &&
              template.Resources[ref]?.Type.endsWith('ManagedPolicy')
            ) {
              ids.add(ref);
            }
          }
        } else {
          visit(inner);
        }
      }
    }
  };
  visit(template.Resources);

  return ids;
}

function matches(action: string, key: string): boolean {
  return key.endsWith('*')
    ? action.startsWith(key.slice(0, -1))
    : action === key;
}

function starAllowance(action: string): StarAllowance | undefined {
  const key = Object.keys(starResourceActions).find((k) => matches(action, k));

  return key ? starResourceActions[key] : undefined;
}

const ceilingActions = new Set(Object.values(managedPolicyCeilings).flat());

/** Stands for a Ref or GetAtt: one resource or parameter, by name. */
const named = 'named';

/** Pseudo parameters in a `Fn::Sub` ARN, as the words arnProblem reads. */
const pseudoParameters: Record<string, string> = {
  'AWS::Partition': 'PARTITION',
  'AWS::Region': 'REGION',
  'AWS::AccountId': 'ACCOUNT',
};

/** The ARN texts of a resource entry, or undefined if it cannot be read. */
function arnText(value: unknown): string[] | undefined {
  if (typeof value === 'string') {
    return [value];
  }
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  if ('Ref' in value || 'Fn::GetAtt' in value) {
    // A resource or parameter of the template: one named thing.
    return [named];
  }
  if ('Fn::Sub' in value) {
    const sub = (value as { 'Fn::Sub': unknown })['Fn::Sub'];
    const body = Array.isArray(sub) ? sub[0] : sub;

    return typeof body === 'string' ? [body] : undefined;
  }
  if ('Fn::If' in value) {
    const [, yes, no] = (value as { 'Fn::If': unknown[] })['Fn::If'];
    const branches = [yes, no].filter(
      (branch) => refOf(branch) !== 'AWS::NoValue'
    );
    const texts = branches.map(arnText);

    return texts.every((t) => t !== undefined) ? texts.flat() : undefined;
  }

  return undefined;
}

/** Problems of one ARN: a wildcard where scope belongs. */
function arnProblem(arn: string): 'unscoped' | 'service-wide' | undefined {
  // An ARN that starts with a reference is a resource's or parameter's.
  if (arn === named || arn.startsWith('$')) {
    return undefined;
  }
  const plain = arn.replace(
    /\$\{([^}]+)\}/g,
    (_, name: string) => pseudoParameters[name] ?? 'VALUE'
  );
  const [arnWord, partition, service, region, account, ...rest] =
    plain.split(':');
  const resource = rest.join(':');
  if (
    arnWord !== 'arn' ||
    partition !== 'PARTITION' ||
    !service ||
    service.includes('*') ||
    !['', 'REGION'].includes(region ?? '*') ||
    !['', 'ACCOUNT', 'aws'].includes(account ?? '*') ||
    resource === ''
  ) {
    return 'unscoped';
  }

  return resource === '*' ? 'service-wide' : undefined;
}

function conditionValues(statement: Statement, key: string): unknown[] {
  const equals = statement.Condition?.StringEquals ?? {};

  return list(equals[key] as unknown);
}

/** The findings of one Allow statement. */
function checkStatement(
  located: LocatedStatement,
  template: { Resources: Record<string, Resource> }
): Finding[] {
  const { statement, where } = located;
  const findings: Finding[] = [];
  const add = (rule: Rule, detail: string) =>
    findings.push({ where, rule, detail });
  if (
    statement.NotAction !== undefined ||
    statement.NotResource !== undefined
  ) {
    add('not-action', 'NotAction or NotResource grants all but a few');
  }
  const actions = list(statement.Action);
  for (const action of actions) {
    if (!/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(action) && !wildcardActions[action]) {
      add('wildcard-action', `${action} is not one named action`);
    }
  }
  const resources = list(statement.Resource as unknown);
  if (resources.includes('*')) {
    if (!located.commented) {
      add('uncommented-star', 'no comment right above says why "*"');
    }
    for (const action of actions) {
      const allowance = starAllowance(action);
      const mirrored = located.inBoundary && ceilingActions.has(action);
      if (!allowance && !mirrored) {
        add('star-resource', `${action} accepts a narrower resource than "*"`);
      } else if (allowance?.needsCondition && !statement.Condition) {
        add('needs-condition', `${action} on "*" needs a Condition`);
      }
    }
  }
  for (const entry of resources.filter((r) => r !== '*')) {
    const arns = arnText(entry);
    if (arns === undefined) {
      add('unreadable-resource', `${JSON.stringify(entry)} cannot be read`);
      continue;
    }
    for (const arn of arns) {
      const problem = arnProblem(arn);
      if (problem === 'unscoped') {
        add('unscoped-arn', `${arn} leaves partition, account or Region open`);
      } else if (problem === 'service-wide' && !located.commented) {
        add('uncommented-star', `${arn} needs a comment right above why`);
      }
    }
  }

  return [...findings, ...checkIam(located, actions, template)];
}

/** The rules that keep IAM writes from minting a stronger role. */
function checkIam(
  located: LocatedStatement,
  actions: string[],
  template: { Resources: Record<string, Resource> }
): Finding[] {
  const { statement, where } = located;
  const findings: Finding[] = [];
  const add = (rule: Rule, detail: string) =>
    findings.push({ where, rule, detail });
  for (const action of actions) {
    if ((forbiddenIamActions as readonly string[]).includes(action)) {
      add('forbidden-iam', `${action} is never granted`);
    }
  }
  if (
    actions.some((a) => (boundedRoleWrites as readonly string[]).includes(a))
  ) {
    const boundaries = conditionValues(statement, 'iam:PermissionsBoundary');
    const bounded =
      boundaries.length > 0 &&
      boundaries.every((value) => {
        const ref = refOf(value);

        return (
          ref !== undefined &&
          template.Resources[ref]?.Type === 'AWS::IAM::ManagedPolicy'
        );
      });
    if (!bounded) {
      add(
        'unbounded-role-write',
        'role writes need StringEquals iam:PermissionsBoundary on a ' +
          'boundary policy of this template'
      );
    }
  }
  if (
    actions.includes('iam:PassRole') &&
    conditionValues(statement, 'iam:PassedToService').length === 0
  ) {
    add('unconditioned-pass-role', 'PassRole needs iam:PassedToService');
  }
  if (
    actions.includes('iam:CreateServiceLinkedRole') &&
    conditionValues(statement, 'iam:AWSServiceName').length === 0
  ) {
    add(
      'unconditioned-linked-role',
      'CreateServiceLinkedRole needs iam:AWSServiceName'
    );
  }
  if (located.inBoundary) {
    for (const action of actions) {
      // A linked role carries only what AWS defines for its service and
      // trusts only that service, so it cannot become an administrator.
      const linkedRole = action === 'iam:CreateServiceLinkedRole';
      if (/^(iam|sts):/.test(action) && !linkedRole) {
        add('boundary-grants-iam', `the boundary lets a role call ${action}`);
      }
    }
  }

  return findings;
}

/** AWS managed policies attached by ARN, checked against the allow-list. */
function checkManagedPolicyArns(template: {
  Resources: Record<string, Resource>;
}): Finding[] {
  const findings: Finding[] = [];
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::IAM::Role') {
      continue;
    }
    for (const arn of list(resource.Properties?.ManagedPolicyArns as unknown)) {
      const ref = refOf(arn);
      if (ref && template.Resources[ref]?.Type === 'AWS::IAM::ManagedPolicy') {
        continue;
      }
      const text = arnText(arn)?.[0] ?? '';
      const name = /^arn:\$\{AWS::Partition\}:iam::aws:policy\/(.+)$/.exec(
        text
      )?.[1];
      if (!name || !awsManagedPolicies[name]) {
        findings.push({
          where: `${id}/ManagedPolicyArns`,
          rule: 'unlisted-managed-policy',
          detail: `${JSON.stringify(arn)} is not an allowed managed policy`,
        });
      }
    }
  }

  return findings;
}

/** Every least-privilege finding of a template's text; none is the goal. */
export function checkTemplate(text: string): Finding[] {
  const { statements, template, findings } = policyStatements(text);
  const allows = statements.filter(
    (located) => located.statement.Effect === 'Allow'
  );

  return [
    ...findings,
    ...allows.flatMap((located) => checkStatement(located, template)),
    ...checkManagedPolicyArns(template),
  ];
}
