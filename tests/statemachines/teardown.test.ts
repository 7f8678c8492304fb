import {
  CloudFormationClient,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { type LocalApi, startLocalApi } from '../../local/api';
import {
  type EnvironmentResources,
  environmentResources,
} from '../../local/environment-resources';
import { openMailbox, type PublishedEmail } from '../../local/mailbox';
import type { LocalExecution } from '../../local/workflow';
import { useEmulator } from '../support/emulator';

/**
 * The real teardown state machine after a real provisioning, both run by
 * the interpreter with the real handlers against the emulator, started
 * through the API as a team would.
 *
 * What the emulator cannot show: moto deletes a stack at once and never
 * leaves one in DELETE_FAILED, not even for a bucket that holds files (it
 * leaves such a bucket in place and reports the stack deleted). So the
 * wait loop runs one round here. A deletion ending in DELETE_FAILED, once
 * or for good, is made by the fault proxy in
 * tests/reliability/teardown-failures.test.ts, and the retry with the
 * bucket retained is covered by the delete-stack handler's tests; here the
 * kept bucket shows that the teardown did not empty it.
 */

useEmulator();

const repository = 'https://git.example.com/app-team/django-app.git';
const owner = { userArn: 'arn:aws:iam::123456789012:role/team-green' };
const s3 = new S3Client({ forcePathStyle: true });

async function stackStatus(stackName: string): Promise<string> {
  try {
    const { Stacks = [] } = await new CloudFormationClient({}).send(
      new DescribeStacksCommand({ StackName: stackName })
    );

    return Stacks[0]?.StackStatus ?? 'NONE';
  } catch {
    return 'NONE';
  }
}

async function bucketExists(bucket: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));

    return true;
  } catch {
    return false;
  }
}

async function provisionThenDelete(
  api: LocalApi,
  name: string,
  query: Record<string, string> = {},
  beforeDelete: () => Promise<void> = async () => undefined
) {
  const mailbox = await openMailbox(name);
  await api.request({
    method: 'POST',
    path: '/environments',
    caller: owner,
    body: {
      name,
      notificationEmail: `${name}@example.com`,
      app: { repository },
    },
  });
  await api.runStarted();
  await beforeDelete();
  const deleted = await api.request({
    method: 'DELETE',
    path: `/environments/${name}`,
    caller: owner,
    query,
  });
  const [teardown] = await api.runStarted();
  const record = await api.request({
    method: 'GET',
    path: `/environments/${name}`,
    caller: owner,
  });

  return {
    deleted,
    teardown: teardown as LocalExecution,
    record: record.body,
    emails: await mailbox.read(),
  };
}

describe('teardown state machine', () => {
  let api: LocalApi;

  beforeAll(async () => {
    api = await startLocalApi({ logSink: () => undefined });
  });

  describe('after a provisioning', () => {
    let result: Awaited<ReturnType<typeof provisionThenDelete>>;

    beforeAll(async () => {
      result = await provisionThenDelete(api, 'gone');
    });

    it('succeeds', () => {
      expect(result.deleted.statusCode).toBe(202);
      expect(result.teardown.error).toBeUndefined();
      expect(result.teardown.status).toBe('SUCCEEDED');
    });

    it('deletes compute, then data, then network', () => {
      const output = result.teardown.output as {
        cleanup: { stackName: string; outcome: string }[];
      };

      expect(output.cleanup).toEqual([
        expect.objectContaining({
          stackName: 'haven-gone-compute',
          outcome: 'deleted',
        }),
        expect.objectContaining({
          stackName: 'haven-gone-data',
          outcome: 'deleted',
        }),
        expect.objectContaining({
          stackName: 'haven-gone-network',
          outcome: 'deleted',
        }),
      ]);
    });

    it.each(['network', 'data', 'compute'])(
      'leaves no %s stack',
      async (tier) => {
        expect(await stackStatus(`haven-gone-${tier}`)).toMatch(
          /^(NONE|DELETE_COMPLETE)$/
        );
      }
    );

    it('empties and deletes the media bucket', async () => {
      expect(await bucketExists('gone-django-static-123456789012')).toBe(false);
    });

    it('records the environment as deleted, with nothing left', () => {
      expect(result.record).toMatchObject({
        phase: 'deleted',
        leftBehind: [],
        teardownExecutionArn: result.teardown.executionArn,
      });
      expect(
        result.record.history.map((h: { phase: string }) => h.phase)
      ).toEqual(expect.arrayContaining(['tearing down', 'deleted']));
    });

    it('emails the requester that the environment is deleted', () => {
      const email = result.emails.at(-1) as PublishedEmail;

      expect(result.emails.map((e) => e.subject)).toEqual([
        'haven: environment gone is ready',
        'haven: environment gone is deleted',
      ]);
      expect(email.body).toContain(
        '  - haven-gone-compute: deleted\n' +
          '  - haven-gone-data: deleted\n' +
          '  - haven-gone-network: deleted'
      );
      expect(email.body).toContain('final snapshot of the database');
      expect(email.body).toContain(
        'https://us-east-1.console.aws.amazon.com/states/home?region=' +
          `us-east-1#/v2/executions/details/${result.teardown.executionArn}`
      );
    });
  });

  describe('when the request keeps the bucket', () => {
    it('deletes the stacks without emptying the bucket', async () => {
      const bucket = 'kept-django-static-123456789012';
      const result = await provisionThenDelete(
        api,
        'kept',
        { retainBucket: 'true' },
        async () => {
          await s3.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: 'media/logo.png',
              Body: 'png',
            })
          );
        }
      );

      expect(result.deleted.body.retainBucket).toBe(true);
      expect(result.teardown.status).toBe('SUCCEEDED');
      expect(await stackStatus('haven-kept-data')).toMatch(
        /^(NONE|DELETE_COMPLETE)$/
      );
      expect(await bucketExists(bucket)).toBe(true);
      expect(result.emails.at(-1)?.body).toContain(`media bucket ${bucket}`);
    });
  });

  describe('with another environment beside it', () => {
    const kinds = [
      'stacks',
      'vpcs',
      'databases',
      'loadBalancers',
      'autoScalingGroups',
      'parameters',
    ] as const;
    let neighbourBefore: EnvironmentResources;
    let leaverBefore: EnvironmentResources;
    let neighbourAfter: EnvironmentResources;
    let leaverAfter: EnvironmentResources;
    let teardown: LocalExecution;

    beforeAll(async () => {
      const post = (name: string) =>
        api.request({
          method: 'POST',
          path: '/environments',
          caller: owner,
          body: {
            name,
            notificationEmail: `${name}@example.com`,
            app: { repository },
          },
        });
      await post('neighbour');
      await post('leaver');
      await api.runStarted();
      neighbourBefore = await environmentResources('neighbour');
      leaverBefore = await environmentResources('leaver');

      await api.request({
        method: 'DELETE',
        path: '/environments/leaver',
        caller: owner,
      });
      [teardown] = (await api.runStarted()) as [LocalExecution];
      neighbourAfter = await environmentResources('neighbour');
      leaverAfter = await environmentResources('leaver');
    });

    it.each(kinds)(
      'finds %s of both environments before the teardown',
      (kind) => {
        expect(neighbourBefore[kind].length).toBeGreaterThan(0);
        expect(leaverBefore[kind].length).toBeGreaterThan(0);
      }
    );

    it('tears down only the one it was asked to', () => {
      expect(teardown.status).toBe('SUCCEEDED');
      expect(teardown.executionArn).toContain(':leaver-teardown-');
    });

    it.each(kinds)('leaves no %s of the torn-down environment', (kind) => {
      expect(leaverAfter[kind]).toEqual([]);
    });

    it.each(kinds)("keeps every one of the other's %s", (kind) => {
      expect(neighbourAfter[kind]).toEqual(neighbourBefore[kind]);
    });
  });
});
