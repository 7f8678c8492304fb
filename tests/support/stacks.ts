import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { templateBody } from './cfn-yaml';

/** A stack the emulator finished creating. */
export interface CreatedStack {
  stackName: string;
  outputs: Record<string, string>;
  /** Physical ids by logical id, for the resources the emulator created. */
  resources: Record<string, string>;
}

const pollIntervalMs = 100;

/**
 * Creates a template of the repository as a stack and waits until it is
 * complete. The emulator leaves a stack whose resource failed in
 * CREATE_IN_PROGRESS for ever, so the wait ends with an error naming the
 * stack and its last status instead of hanging the test run.
 */
export async function createStack(
  stackName: string,
  templateFile: string,
  parameters: Record<string, string>,
  timeoutMs = 15_000
): Promise<CreatedStack> {
  const cloudFormation = new CloudFormationClient({});
  await cloudFormation.send(
    new CreateStackCommand({
      StackName: stackName,
      TemplateBody: templateBody(templateFile),
      Parameters: Object.entries(parameters).map(([key, value]) => ({
        ParameterKey: key,
        ParameterValue: value,
      })),
      Capabilities: ['CAPABILITY_NAMED_IAM'],
    })
  );

  const deadline = Date.now() + timeoutMs;
  let status = 'unknown';
  while (Date.now() < deadline) {
    const { Stacks } = await cloudFormation.send(
      new DescribeStacksCommand({ StackName: stackName })
    );
    const stack = Stacks?.[0];
    status = stack?.StackStatus ?? 'unknown';
    if (status === 'CREATE_COMPLETE') {
      const outputs = Object.fromEntries(
        (stack?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue])
      );
      const { StackResourceSummaries } = await cloudFormation.send(
        new ListStackResourcesCommand({ StackName: stackName })
      );
      const resources = Object.fromEntries(
        (StackResourceSummaries ?? [])
          .filter((r) => r.LogicalResourceId)
          .map((r) => [r.LogicalResourceId, r.PhysicalResourceId ?? ''])
      );

      return { stackName, outputs, resources };
    }
    if (!status.endsWith('_IN_PROGRESS')) break;
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }

  throw new Error(
    `stack ${stackName} from ${templateFile} did not reach CREATE_COMPLETE ` +
      `within ${timeoutMs} ms (last status ${status}); a resource the ` +
      'emulator cannot create leaves the stack in CREATE_IN_PROGRESS'
  );
}

/** Parameters of the network tier for an environment. */
export function networkParameters(
  environmentName: string,
  extra: Record<string, string> = {}
): Record<string, string> {
  return { EnvironmentName: environmentName, Owner: 'team-web', ...extra };
}

/** Parameters of the data tier, wired to a network stack's outputs. */
export function dataParameters(
  environmentName: string,
  network: CreatedStack
): Record<string, string> {
  return {
    EnvironmentName: environmentName,
    Owner: 'team-web',
    DatabaseSubnetIds: network.outputs.DatabaseSubnetIds,
    DatabaseSecurityGroupId: network.outputs.DatabaseSecurityGroupId,
  };
}

/** Parameters of the compute tier, wired to the other tiers' outputs. */
export function computeParameters(
  environmentName: string,
  network: CreatedStack,
  data: CreatedStack,
  extra: Record<string, string> = {}
): Record<string, string> {
  return {
    EnvironmentName: environmentName,
    Owner: 'team-web',
    NotificationEmail: 'alerts@example.com',
    VpcId: network.outputs.VpcId,
    PublicSubnetIds: network.outputs.PublicSubnetIds,
    PrivateSubnetIds: network.outputs.PrivateSubnetIds,
    AlbSecurityGroupId: network.outputs.AlbSecurityGroupId,
    AppSecurityGroupId: network.outputs.AppSecurityGroupId,
    BastionSecurityGroupId: network.outputs.BastionSecurityGroupId,
    DBEndpointParameterName: data.outputs.DBEndpointParameterName,
    DBInstanceArn: data.outputs.DBInstanceArn,
    StaticBucketName: data.outputs.StaticBucketName,
    AppRepository: 'https://github.com/example/haven-app.git',
    ...extra,
  };
}
