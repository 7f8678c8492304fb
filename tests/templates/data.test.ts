// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are
// CloudFormation Fn::Sub text, whose ${...} placeholders are meant literally.
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import {
  GetBucketEncryptionCommand,
  GetBucketTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { loadTemplate } from '../support/cfn-yaml';
import { useEmulator } from '../support/emulator';
import {
  type CreatedStack,
  createStack,
  dataParameters,
  networkParameters,
} from '../support/stacks';

const file = 'templates/data.yaml';

describe('data template', () => {
  useEmulator();
  const template = loadTemplate(file);
  let network: CreatedStack;
  let stack: CreatedStack;

  beforeAll(async () => {
    network = await createStack(
      'alpha-network',
      'templates/network.yaml',
      networkParameters('alpha')
    );
    stack = await createStack(
      'alpha-data',
      file,
      dataParameters('alpha', network)
    );
  });

  async function database(identifier = 'alpha-postgres') {
    const { DBInstances } = await new RDSClient({}).send(
      new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier })
    );

    return DBInstances?.[0];
  }

  it('creates a Multi-AZ, encrypted PostgreSQL 16 on the database subnets', async () => {
    const db = await database();

    expect(db).toMatchObject({
      Engine: 'postgres',
      DBInstanceClass: 'db.t3.micro',
      AllocatedStorage: 100,
      StorageType: 'gp2',
      MultiAZ: true,
      StorageEncrypted: true,
      BackupRetentionPeriod: 7,
      DBName: 'postgresDB',
      MasterUsername: 'postgres',
      CopyTagsToSnapshot: true,
      DeletionProtection: false,
      Endpoint: { Port: 5432 },
    });
    expect(db?.EngineVersion).toMatch(/^16(\.|$)/);
    expect(
      db?.DBSubnetGroup?.Subnets?.map((s) => s.SubnetIdentifier).sort()
    ).toEqual(network.outputs.DatabaseSubnetIds.split(',').sort());
    expect(db?.TagList).toEqual(
      expect.arrayContaining([{ Key: 'haven:environment', Value: 'alpha' }])
    );
  });

  // The emulator ignores ManageMasterUserPassword and VPCSecurityGroups and
  // keeps no deletion policy, so these are checked on the template.
  it('lets RDS keep the password and snapshots the database on deletion', () => {
    const db = template.Resources.DatabaseInstance;

    expect(db.Properties).toMatchObject({
      ManageMasterUserPassword: true,
      VPCSecurityGroups: [{ Ref: 'DatabaseSecurityGroupId' }],
      PubliclyAccessible: false,
      DeletionProtection: { 'Fn::If': ['IsProduction', true, false] },
    });
    expect(db.Properties).not.toHaveProperty('MasterUserPassword');
    expect([db.DeletionPolicy, db.UpdateReplacePolicy]).toEqual([
      'Snapshot',
      'Snapshot',
    ]);
  });

  it('publishes the database host name in Parameter Store', async () => {
    const db = await database();
    const { Parameter } = await new SSMClient({}).send(
      new GetParameterCommand({ Name: '/haven/alpha/database/endpoint' })
    );

    expect(Parameter?.Value).toBe(db?.Endpoint?.Address);
    expect(stack.outputs).toMatchObject({
      DBEndpointParameterName: '/haven/alpha/database/endpoint',
      DBEndpointAddress: db?.Endpoint?.Address,
      DBEndpointPort: '5432',
      DBInstanceIdentifier: 'alpha-postgres',
      DBInstanceArn: db?.DBInstanceArn,
    });
  });

  it('creates the bucket with encryption and the environment tags', async () => {
    const s3 = new S3Client({});
    const bucket = 'alpha-django-static-123456789012';
    const encryption = await s3.send(
      new GetBucketEncryptionCommand({ Bucket: bucket })
    );
    const { TagSet } = await s3.send(
      new GetBucketTaggingCommand({ Bucket: bucket })
    );

    expect(stack.outputs.StaticBucketName).toBe(bucket);
    expect(stack.outputs.StaticBucketArn).toBe(`arn:aws:s3:::${bucket}`);
    expect(
      encryption.ServerSideEncryptionConfiguration?.Rules?.[0]
        ?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm
    ).toBe('AES256');
    expect(TagSet).toEqual(
      expect.arrayContaining([{ Key: 'haven:owner', Value: 'team-web' }])
    );
  });

  // Through CloudFormation the emulator applies only a bucket's encryption
  // and tags, and skips bucket policies altogether.
  it('blocks public access and enforces bucket ownership', () => {
    expect(template.Resources.StaticBucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: {
        Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
      },
    });
  });

  it('denies plain HTTP and lets the load balancer write its logs', () => {
    const { Statement } = template.Resources.StaticBucketPolicy.Properties
      .PolicyDocument as { Statement: Record<string, unknown>[] };

    expect(Statement).toEqual([
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
      expect.objectContaining({
        Effect: 'Allow',
        Principal: {
          Service: 'logdelivery.elasticloadbalancing.amazonaws.com',
        },
        Action: 's3:PutObject',
        Resource: {
          'Fn::Sub': '${StaticBucket.Arn}/alb-logs/AWSLogs/${AWS::AccountId}/*',
        },
      }),
    ]);
  });

  it('lets a second environment share the account without collisions', async () => {
    const otherNetwork = await createStack(
      'beta-network',
      'templates/network.yaml',
      networkParameters('beta')
    );
    const other = await createStack(
      'beta-data',
      file,
      dataParameters('beta', otherNetwork)
    );

    expect(other.outputs).toMatchObject({
      DBInstanceIdentifier: 'beta-postgres',
      DBEndpointParameterName: '/haven/beta/database/endpoint',
      StaticBucketName: 'beta-django-static-123456789012',
    });
    expect((await database('alpha-postgres'))?.DBInstanceStatus).toBe(
      'available'
    );
  });
});
