import {
  CloudFormationClient,
  DescribeStacksCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  ListSubscriptionsByTopicCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { localResources, provisionLocally } from '../../local/provision';
import type { EventLog } from '../../local/workflow';
import { useEmulator } from '../support/emulator';

/**
 * The real provisioning state machine, run by the ASL interpreter with the
 * real handlers against the moto emulator.
 *
 * What the emulator cannot show, and where it is covered instead: moto
 * finishes a stack at once and never fails one by itself, so the polling
 * loops run a single round here and their bounds, failure reasons and
 * rollbacks are covered by the handlers' unit tests. moto reports no
 * Multi-AZ standby and starts every Auto Scaling instance in one subnet;
 * local/moto_server.py fills both gaps the way AWS behaves, so the checks
 * that depend on them run their real logic.
 */

useEmulator();

const repository = 'https://git.example.com/app-team/django-app.git';

function stateNames(events: EventLog[]): string[] {
  return events
    .filter((event) => event.type === 'StateEntered')
    .map((event) => (event as { state: { name: string } }).state.name);
}

async function stack(name: string): Promise<Stack> {
  const cloudFormation = new CloudFormationClient({});
  const { Stacks = [] } = await cloudFormation.send(
    new DescribeStacksCommand({ StackName: name })
  );

  return Stacks[0] as Stack;
}

function valuesOf(entries: { key?: string; value?: string }[]) {
  return Object.fromEntries(entries.map((e) => [e.key, e.value]));
}

/**
 * moto answers a List<...> parameter in Python's rendering of a list,
 * `['a', 'b']`, where CloudFormation answers `a,b`: read both the same.
 */
function parameterValue(value: string | undefined): string | undefined {
  const pythonList = value?.match(/^\[(.*)\]$/);
  if (!pythonList) return value;

  return (pythonList[1] ?? '')
    .split(',')
    .map((item) => item.trim().replace(/^'|'$/g, ''))
    .join(',');
}

function parametersOf(found: Stack): Record<string, string | undefined> {
  return valuesOf(
    (found.Parameters ?? []).map((p) => ({
      key: p.ParameterKey,
      value: parameterValue(p.ParameterValue),
    }))
  );
}

function outputsOf(found: Stack): Record<string, string | undefined> {
  return valuesOf(
    (found.Outputs ?? []).map((o) => ({
      key: o.OutputKey,
      value: o.OutputValue,
    }))
  );
}

describe('provision state machine', () => {
  describe('with a valid request', () => {
    const request = {
      name: 'e2e',
      notificationEmail: 'team-e2e@example.com',
      owner: 'arn:aws:iam::123456789012:role/team-e2e',
      app: { repository },
    };
    let result: Awaited<ReturnType<typeof provisionLocally>>;

    beforeAll(async () => {
      result = await provisionLocally({ request, logSink: () => undefined });
    });

    it('succeeds', () => {
      expect(result.execution.error).toBeUndefined();
      expect(result.execution.status).toBe('SUCCEEDED');
    });

    it('creates the network, data and compute stacks in that order', () => {
      const created = stateNames(result.execution.events).filter((name) =>
        /^Create the \w+ stack$/.test(name)
      );

      expect(created).toEqual([
        'Create the network stack',
        'Create the data stack',
        'Create the compute stack',
      ]);
    });

    it('waits for the database and the targets before emailing', () => {
      const names = stateNames(result.execution.events);
      const at = (name: string) => names.indexOf(name);

      expect(at('Check the compute stack')).toBeLessThan(
        at('Check the database has a standby')
      );
      expect(at('Check the database has a standby')).toBeLessThan(
        at("Check the app's targets are healthy")
      );
      expect(at("Check the app's targets are healthy")).toBeLessThan(
        at('Email the requester that the environment is ready')
      );
    });

    it('passes the network outputs to the data stack', async () => {
      const network = outputsOf(await stack('haven-e2e-network'));
      const data = parametersOf(await stack('haven-e2e-data'));

      expect(data.DatabaseSubnetIds).toBe(network.DatabaseSubnetIds);
      expect(data.DatabaseSecurityGroupId).toBe(
        network.DatabaseSecurityGroupId
      );
      expect(data.DatabaseSubnetIds?.split(',')).toHaveLength(2);
    });

    it('passes the network and data outputs to the compute stack', async () => {
      const network = outputsOf(await stack('haven-e2e-network'));
      const data = outputsOf(await stack('haven-e2e-data'));
      const compute = parametersOf(await stack('haven-e2e-compute'));

      expect(compute).toMatchObject({
        VpcId: network.VpcId,
        PublicSubnetIds: network.PublicSubnetIds,
        PrivateSubnetIds: network.PrivateSubnetIds,
        AlbSecurityGroupId: network.AlbSecurityGroupId,
        AppSecurityGroupId: network.AppSecurityGroupId,
        BastionSecurityGroupId: network.BastionSecurityGroupId,
        DBEndpointParameterName: data.DBEndpointParameterName,
        DBInstanceArn: data.DBInstanceArn,
        StaticBucketName: data.StaticBucketName,
        NotificationEmail: 'team-e2e@example.com',
        AppRepository: repository,
        PermissionsBoundaryArn: localResources.EnvironmentPermissionsBoundary,
      });
    });

    it('tags every stack with the environment, its owner and haven', async () => {
      for (const tier of ['network', 'data', 'compute']) {
        const tags = valuesOf(
          ((await stack(`haven-e2e-${tier}`)).Tags ?? []).map((t) => ({
            key: t.Key,
            value: t.Value,
          }))
        );

        expect(tags).toMatchObject({
          'haven:environment': 'e2e',
          'haven:owner': request.owner,
          'haven:managed-by': 'haven',
        });
      }
    });

    it('reports the outputs of the stacks and the checks', async () => {
      const output = result.execution.output as {
        compute: { outputs: Record<string, string> };
        data: { outputs: Record<string, string> };
        database: { standbyZone: string; primaryZone: string };
        targets: { healthy: number; zones: string[] };
      };
      const compute = outputsOf(await stack('haven-e2e-compute'));
      const { DBInstances = [] } = await new RDSClient({}).send(
        new DescribeDBInstancesCommand({
          DBInstanceIdentifier: output.data.outputs.DBInstanceIdentifier,
        })
      );

      expect(output.compute.outputs.AppUrl).toBe(compute.AppUrl);
      expect(output.compute.outputs.AppUrl).toMatch(/^http:\/\/e2e-alb/);
      expect(output.data.outputs.DBEndpointAddress).toBe(
        DBInstances[0]?.Endpoint?.Address
      );
      expect(output.database.standbyZone).not.toBe(output.database.primaryZone);
      expect(output.targets.healthy).toBe(2);
      expect(output.targets.zones).toHaveLength(2);
    });

    it('emails the requester the outputs and a link to the execution', () => {
      const output = result.execution.output as {
        compute: { outputs: Record<string, string> };
        data: { outputs: Record<string, string> };
      };
      const { AppUrl } = output.compute.outputs;
      const { DBEndpointAddress, StaticBucketName } = output.data.outputs;

      expect(result.emails).toHaveLength(1);
      const [email] = result.emails;
      expect(email?.subject).toBe('haven: environment e2e is ready');
      expect(email?.body).toContain(`App URL:        ${AppUrl}`);
      expect(email?.body).toContain(`${DBEndpointAddress}:5432`);
      expect(email?.body).toContain(`Media bucket:   ${StaticBucketName}`);
      expect(email?.body).toContain(
        'haven-e2e-network, haven-e2e-data, haven-e2e-compute'
      );
      expect(email?.body).toMatch(/Total time: +\d+ s/);
      expect(email?.body).toContain(
        'https://us-east-1.console.aws.amazon.com/states/home?region=' +
          `us-east-1#/v2/executions/details/${result.execution.executionArn}`
      );
    });

    it('subscribes the requester, and no other address, to its emails', async () => {
      const sns = new SNSClient({});
      const topicArn =
        'arn:aws:sns:us-east-1:123456789012:haven-e2e-notifications';
      const { Subscriptions = [] } = await sns.send(
        new ListSubscriptionsByTopicCommand({ TopicArn: topicArn })
      );
      const emails = Subscriptions.filter((s) => s.Protocol === 'email');

      expect(emails.map((s) => s.Endpoint)).toEqual(['team-e2e@example.com']);
    });
  });

  describe('with an invalid request', () => {
    it('fails naming every bad field, and creates nothing', async () => {
      const { execution, emails } = await provisionLocally({
        request: {
          name: 'Bad_Name',
          notificationEmail: 'not-an-address',
          sizes: { minSize: 3 },
          app: { repository },
        },
        logSink: () => undefined,
      });

      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('RequestValidationError');
      expect(execution.cause).toContain('name: must be 3 to 20');
      expect(execution.cause).toContain('notificationEmail: must be an');
      expect(execution.cause).toContain('sizes.minSize: must be at most');
      expect(stateNames(execution.events)).toEqual([
        'Validate the request',
        'Record that the request was rejected',
        'Request rejected',
      ]);
      expect(emails).toEqual([]);
    });
  });

  // Last in this file: after a resource fails, moto answers DescribeStacks
  // for that stack with HTTP 500 for the rest of its life.
  describe('when the data stack fails and the stacks are kept', () => {
    it('emails the step, the reason and the stacks kept', async () => {
      const s3 = new S3Client({ forcePathStyle: true });
      await s3.send(
        new CreateBucketCommand({
          Bucket: 'taken-django-static-123456789012',
        })
      );

      const { execution, emails } = await provisionLocally({
        request: {
          name: 'taken',
          notificationEmail: 'team-taken@example.com',
          rollbackOnFailure: false,
          app: { repository },
        },
        logSink: () => undefined,
      });

      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('BucketAlreadyExists');
      expect(stateNames(execution.events)).not.toContain(
        'Create the compute stack'
      );
      expect(emails).toHaveLength(1);
      const [email] = emails;
      expect(email?.subject).toBe(
        'haven: environment taken failed at create the data stack'
      );
      expect(email?.body).toContain('Failed step: Create the data stack');
      expect(email?.body).toContain('Stack:       haven-taken-data');
      expect(email?.body).toContain('bucket name is not available');
      expect(email?.body).toContain('kept for inspection');
      expect(email?.body).toContain('haven-taken-network (CREATE_COMPLETE)');
    });
  });
});
