import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import {
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  StackBusyError,
  StackReplacementPendingError,
} from '../../../functions/shared/errors';
import {
  handler,
  type StartStackEvent,
} from '../../../functions/start-stack/handler';
import { aRequest, awsError, captureLogs } from '../fixtures';

const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const templatesDir = join(__dirname, '..', '..', '..', 'templates');
const roleArn = 'arn:aws:iam::123456789012:role/haven-cloudformation';
const stackId =
  'arn:aws:cloudformation:eu-west-1:123456789012:stack/haven-demo-data/9';

function eventFor(overrides: Partial<StartStackEvent> = {}): StartStackEvent {
  return {
    tier: 'data',
    stackName: 'haven-demo-data',
    request: aRequest(),
    parameters: {
      DatabaseSubnetIds: 'subnet-1,subnet-2',
      DatabaseSecurityGroupId: 'sg-1',
    },
    correlation: { environment: 'demo', executionId: 'exec-1' },
    ...overrides,
  };
}

function existingStack(status: StackStatus) {
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'haven-demo-data',
        StackId: stackId,
        StackStatus: status,
        CreationTime: new Date(),
      },
    ],
  });
}

function createInput() {
  return cfn.commandCalls(CreateStackCommand)[0]?.args[0].input;
}

describe('start-stack handler', () => {
  beforeEach(() => {
    cfn.reset();
    s3.reset();
    cfn.on(DescribeStackResourcesCommand).resolves({ StackResources: [] });
    captureLogs();
    jest.replaceProperty(process, 'env', {
      TEMPLATES_DIR: templatesDir,
      CLOUDFORMATION_ROLE_ARN: roleArn,
    });
    cfn
      .on(DescribeStacksCommand)
      .rejects(
        awsError(
          'ValidationError',
          'Stack with id haven-demo-data does not exist'
        )
      );
    cfn.on(CreateStackCommand).resolves({ StackId: stackId });
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('for a stack that does not exist', () => {
    it('creates it from the tier template in TEMPLATES_DIR', async () => {
      // Act
      await handler(eventFor());

      // Assess
      expect(createInput()?.TemplateBody).toBe(
        readFileSync(join(templatesDir, 'data.yaml'), 'utf8')
      );
      expect(createInput()?.StackName).toBe('haven-demo-data');
    });

    it("merges the tier's request parameters with those passed", async () => {
      // Act
      await handler(eventFor());

      // Assess
      expect(createInput()?.Parameters).toEqual([
        { ParameterKey: 'EnvironmentName', ParameterValue: 'demo' },
        { ParameterKey: 'Owner', ParameterValue: 'app-team' },
        { ParameterKey: 'DBInstanceClass', ParameterValue: 'db.t3.small' },
        { ParameterKey: 'DBAllocatedStorage', ParameterValue: '50' },
        { ParameterKey: 'Production', ParameterValue: 'false' },
        { ParameterKey: 'ClusterSecurityGroupId', ParameterValue: '' },
        {
          ParameterKey: 'DatabaseSubnetIds',
          ParameterValue: 'subnet-1,subnet-2',
        },
        { ParameterKey: 'DatabaseSecurityGroupId', ParameterValue: 'sg-1' },
      ]);
    });

    it('lets a passed parameter override one of the request', async () => {
      // Act
      await handler(eventFor({ parameters: { Owner: 'platform' } }));

      // Assess
      expect(createInput()?.Parameters).toContainEqual({
        ParameterKey: 'Owner',
        ParameterValue: 'platform',
      });
      expect(
        createInput()?.Parameters?.filter((p) => p.ParameterKey === 'Owner')
      ).toHaveLength(1);
    });

    it('creates it with the tags, the service role and named IAM', async () => {
      // Act
      await handler(eventFor());

      // Assess
      expect(createInput()).toMatchObject({
        Tags: [
          { Key: 'cost-center', Value: 'c42' },
          { Key: 'haven:environment', Value: 'demo' },
          { Key: 'haven:owner', Value: 'app-team' },
          { Key: 'haven:managed-by', Value: 'haven' },
        ],
        RoleARN: roleArn,
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      });
    });

    it('leaves the role out when CLOUDFORMATION_ROLE_ARN is blank', async () => {
      // Prepare
      process.env.CLOUDFORMATION_ROLE_ARN = '';

      // Act
      await handler(eventFor());

      // Assess
      expect(createInput()?.RoleARN).toBeUndefined();
    });

    it.each([
      [true, 'ROLLBACK'],
      [false, 'DO_NOTHING'],
    ])(
      'with rollbackOnFailure %s sets OnFailure to %s',
      async (rollbackOnFailure, onFailure) => {
        // Act
        await handler(eventFor({ request: aRequest({ rollbackOnFailure }) }));

        // Assess
        expect(createInput()?.OnFailure).toBe(onFailure);
      }
    );

    // The plan's first wait, plus the offset the stack's name gives it
    // (0 to 9 s) so that workflows started together do not look at once.
    it.each([
      ['network', 150 + 9],
      ['data', 990 + 5],
      ['compute', 240 + 8],
    ] as const)(
      'returns the %s stack in progress, first wait %i seconds',
      async (tier, waitSeconds) => {
        // Act
        const progress = await handler(
          eventFor({ tier, stackName: `haven-demo-${tier}`, parameters: {} })
        );

        // Assess
        expect(progress).toEqual({
          tier,
          stackName: `haven-demo-${tier}`,
          stackId,
          status: 'CREATE_IN_PROGRESS',
          ready: false,
          attempt: 0,
          waitSeconds,
        });
      }
    );

    it('creates a stack whose earlier namesake was deleted', async () => {
      // Prepare
      existingStack('DELETE_COMPLETE');

      // Act
      await handler(eventFor());

      // Assess
      expect(cfn).toHaveReceivedCommandTimes(CreateStackCommand, 1);
    });
  });

  describe('for a stack that exists', () => {
    it.each<StackStatus>([
      'CREATE_COMPLETE',
      'CREATE_IN_PROGRESS',
      'UPDATE_COMPLETE',
    ])('takes a %s stack as it is', async (status) => {
      // Prepare
      existingStack(status);

      // Act
      const progress = await handler(eventFor());

      // Assess
      expect(cfn).not.toHaveReceivedCommand(CreateStackCommand);
      expect(cfn).not.toHaveReceivedCommand(DeleteStackCommand);
      expect(progress).toEqual({
        tier: 'data',
        stackName: 'haven-demo-data',
        stackId,
        status,
        ready: false,
        attempt: 0,
        waitSeconds: 995,
      });
    });

    it.each<StackStatus>([
      'ROLLBACK_COMPLETE',
      'ROLLBACK_FAILED',
      'CREATE_FAILED',
      'DELETE_FAILED',
    ])('deletes a %s stack and waits for the replacement', async (status) => {
      // Prepare
      existingStack(status);

      // Act
      const invocation = handler(eventFor());

      // Assess
      await expect(invocation).rejects.toThrow(StackReplacementPendingError);
      await expect(invocation).rejects.toThrow(
        `The stack haven-demo-data is left over from an earlier attempt ` +
          `(${status})`
      );
      expect(cfn.commandCalls(DeleteStackCommand)[0].args[0].input).toEqual({
        StackName: stackId,
        RoleARN: roleArn,
      });
      expect(cfn).not.toHaveReceivedCommand(CreateStackCommand);
    });

    it('empties the buckets of a DELETE_FAILED stack before deleting it', async () => {
      // Prepare
      existingStack('DELETE_FAILED');
      cfn.on(DescribeStackResourcesCommand).resolves({
        StackResources: [
          {
            LogicalResourceId: 'StaticBucket',
            ResourceType: 'AWS::S3::Bucket',
            PhysicalResourceId: 'demo-django-static-123456789012',
            ResourceStatus: 'DELETE_FAILED',
            Timestamp: new Date(),
          },
        ],
      });
      s3.on(ListObjectVersionsCommand).resolves({
        Versions: [{ Key: 'logs/1.gz', VersionId: 'v1' }],
        IsTruncated: false,
      });
      s3.on(DeleteObjectsCommand).resolves({});

      // Act
      const invocation = handler(eventFor());

      // Assess
      await expect(invocation).rejects.toThrow(StackReplacementPendingError);
      expect(s3).toHaveReceivedCommandWith(DeleteObjectsCommand, {
        Bucket: 'demo-django-static-123456789012',
        Delete: {
          Objects: [{ Key: 'logs/1.gz', VersionId: 'v1' }],
          Quiet: true,
        },
      });
      expect(cfn).toHaveReceivedCommand(DeleteStackCommand);
    });

    it('waits for a stack already being deleted without deleting again', async () => {
      // Prepare
      existingStack('DELETE_IN_PROGRESS');

      // Act
      const invocation = handler(eventFor());

      // Assess
      await expect(invocation).rejects.toThrow(StackReplacementPendingError);
      expect(cfn).not.toHaveReceivedCommand(DeleteStackCommand);
    });

    it.each<StackStatus>([
      'UPDATE_IN_PROGRESS',
      'UPDATE_ROLLBACK_COMPLETE',
      'IMPORT_IN_PROGRESS',
    ])('refuses to touch a %s stack', async (status) => {
      // Prepare
      existingStack(status);

      // Act
      const invocation = handler(eventFor());

      // Assess
      await expect(invocation).rejects.toThrow(StackBusyError);
      await expect(invocation).rejects.toThrow(
        `The stack haven-demo-data is ${status}`
      );
      expect(cfn).not.toHaveReceivedCommand(CreateStackCommand);
      expect(cfn).not.toHaveReceivedCommand(DeleteStackCommand);
    });
  });

  it('passes on an error describing the stack', async () => {
    // Prepare
    const error = awsError('AccessDenied', 'not allowed');
    cfn.on(DescribeStacksCommand).rejects(error);

    // Act
    const invocation = handler(eventFor());

    // Assess
    await expect(invocation).rejects.toBe(error);
  });
});
