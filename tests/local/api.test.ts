import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { type Caller, type LocalApi, startLocalApi } from '../../local/api';
import { useEmulator } from '../support/emulator';

/**
 * The environment API end to end on the emulator: the real handlers
 * behind the routes of api/openapi.yaml, the real table of template.yaml,
 * and every execution they start run by the interpreter, so the record is
 * kept by the real workflows. SigV4 itself is API Gateway's and is not
 * exercised here: the caller is the identity API Gateway would pass.
 */

useEmulator();

const repository = 'https://git.example.com/app-team/django-app.git';
const account = '123456789012';
const alice: Caller = { userArn: `arn:aws:iam::${account}:user/alice` };
const bob: Caller = { userArn: `arn:aws:iam::${account}:user/bob` };
const admin: Caller = { userArn: `arn:aws:iam::${account}:user/platform` };
const provisionArn = `arn:aws:states:us-east-1:${account}:stateMachine:haven-provision`;

let api: LocalApi;
let adminApi: LocalApi;

beforeAll(async () => {
  const quiet = { logSink: () => undefined };
  api = await startLocalApi(quiet);
  adminApi = await startLocalApi({
    ...quiet,
    parameters: { PlatformAdminPrincipals: admin.userArn },
  });
});

function requestOf(name: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    notificationEmail: `team-${name}@example.com`,
    app: { repository },
    ...extra,
  };
}

function post(caller: Caller | undefined, body: unknown) {
  return api.request({ method: 'POST', path: '/environments', caller, body });
}

function get(caller: Caller, name: string, on: LocalApi = api) {
  return on.request({ method: 'GET', path: `/environments/${name}`, caller });
}

function remove(caller: Caller, name: string, query = {}) {
  return api.request({
    method: 'DELETE',
    path: `/environments/${name}`,
    caller,
    query,
  });
}

async function executionsOf(name: string) {
  const { executions = [] } = await new SFNClient({}).send(
    new ListExecutionsCommand({ stateMachineArn: provisionArn })
  );

  return executions.filter((e) => e.name?.startsWith(`${name}-`));
}

describe('environment API', () => {
  describe('POST /environments', () => {
    it('starts a provisioning and answers where to follow it', async () => {
      const response = await post(alice, requestOf('fresh'));

      expect(response.statusCode).toBe(202);
      expect(response.body).toMatchObject({
        name: 'fresh',
        phase: 'provisioning',
        attempt: 1,
        statusUrl: 'https://localhost/v1/environments/fresh',
        note: expect.stringContaining('confirm the subscription'),
      });
      expect(response.body.executionArn).toMatch(
        /^arn:aws:states:us-east-1:123456789012:execution:haven-provision:fresh-1-/
      );
      expect(response.body.consoleUrl).toContain(response.body.executionArn);
      expect(response.headers.location).toBe(response.body.statusUrl);
      expect(await executionsOf('fresh')).toHaveLength(1);
    });

    it('records the outputs once the workflow has made it ready', async () => {
      await api.runStarted();
      const { statusCode, body } = await get(alice, 'fresh');

      expect(statusCode).toBe(200);
      expect(body).toMatchObject({
        phase: 'ready',
        owner: alice.userArn,
        step: 'Email the requester that the environment is ready',
        outputs: {
          appUrl: expect.stringMatching(/^http:\/\/fresh-alb/),
          databaseEndpoint: expect.stringMatching(/:5432$/),
          bucket: 'fresh-django-static-123456789012',
        },
      });
      expect(body.stacks.map((s: { status: string }) => s.status)).toEqual([
        'CREATE_COMPLETE',
        'CREATE_COMPLETE',
        'CREATE_COMPLETE',
      ]);
      expect(Date.parse(body.endedAt)).toBeGreaterThanOrEqual(
        Date.parse(body.startedAt)
      );
    });

    it('answers an identical request with the same environment and execution', async () => {
      const first = await post(alice, requestOf('twice'));
      // Same request: key order and spelled-out defaults do not matter.
      const again = await post(alice, {
        app: { repository, directory: 'app' },
        notificationEmail: 'team-twice@example.com',
        name: 'twice',
        singleNatGateway: false,
      });
      await api.runStarted();
      const afterReady = await post(alice, requestOf('twice'));

      expect(first.statusCode).toBe(202);
      expect(again.statusCode).toBe(202);
      expect(afterReady.statusCode).toBe(200);
      expect(again.body.executionArn).toBe(first.body.executionArn);
      expect(afterReady.body.executionArn).toBe(first.body.executionArn);
      expect(await executionsOf('twice')).toHaveLength(1);
    });

    it('refuses a different request for a name its owner holds', async () => {
      await post(alice, requestOf('changed'));
      const response = await post(
        alice,
        requestOf('changed', { singleNatGateway: true })
      );

      expect(response.statusCode).toBe(409);
      expect(response.body.message).toContain('different request');
      expect(await executionsOf('changed')).toHaveLength(1);
    });

    it('refuses a name another owner holds, telling nothing of it', async () => {
      await post(alice, requestOf('alices'));
      const response = await post(bob, requestOf('alices'));

      expect(response.statusCode).toBe(409);
      expect(response.body.message).toBe(
        'The name alices is taken by another team. Choose another.'
      );
    });

    it('lets exactly one of several concurrent claims of a name win', async () => {
      const callers = ['a', 'b', 'c', 'd', 'e'].map((n) => ({
        userArn: `arn:aws:iam::${account}:user/racer-${n}`,
      }));
      const responses = await Promise.all(
        callers.map((caller) => post(caller, requestOf('raced')))
      );
      const codes = responses.map((r) => r.statusCode).sort();

      expect(codes).toEqual([202, 409, 409, 409, 409]);
      expect(await executionsOf('raced')).toHaveLength(1);
    });

    it('starts one execution for concurrent identical requests', async () => {
      const responses = await Promise.all(
        [1, 2, 3, 4].map(() => post(alice, requestOf('burst')))
      );
      const arns = new Set(responses.map((r) => r.body.executionArn));

      expect(responses.map((r) => r.statusCode)).toEqual([202, 202, 202, 202]);
      expect(arns.size).toBe(1);
      expect(await executionsOf('burst')).toHaveLength(1);
    });

    it('rejects a bad request naming each field, and starts nothing', async () => {
      const response = await post(alice, {
        name: 'Bad_Name',
        notificationEmail: 'nope',
        owner: 'someone-else',
        dryRun: 'yes',
        app: { repository },
      });
      const fields = response.body.problems.map(
        (p: { field: string }) => p.field
      );

      expect(response.statusCode).toBe(400);
      expect(fields).toEqual(
        expect.arrayContaining(['name', 'notificationEmail', 'owner', 'dryRun'])
      );
      expect(await executionsOf('Bad_Name')).toHaveLength(0);
    });

    it('answers a dry run with the plan and its cost, starting nothing', async () => {
      const response = await post(alice, {
        ...requestOf('planned'),
        dryRun: true,
      });

      expect(response.statusCode).toBe(200);
      expect(
        response.body.plan.stacks.map((s: { stackName: string }) => s.stackName)
      ).toEqual([
        'haven-planned-network',
        'haven-planned-data',
        'haven-planned-compute',
      ]);
      expect(response.body.estimatedMonthlyCost.monthlyTotal).toBeGreaterThan(
        0
      );
      expect((await get(alice, 'planned')).statusCode).toBe(404);
      expect(await executionsOf('planned')).toHaveLength(0);
    });

    it('records an assumed role as the role, not the session', async () => {
      const session = (name: string) => ({
        userArn: `arn:aws:sts::${account}:assumed-role/team-blue/${name}`,
      });
      await post(session('deploy-bot'), requestOf('blue'));
      const seen = await get(session('someone-at-a-desk'), 'blue');

      expect(seen.statusCode).toBe(200);
      expect(seen.body.owner).toBe(`arn:aws:iam::${account}:role/team-blue`);
    });

    it('refuses a request that carries no IAM identity', async () => {
      const response = await post(undefined, requestOf('anonymous'));

      expect(response.statusCode).toBe(403);
      expect(await executionsOf('anonymous')).toHaveLength(0);
    });
  });

  describe('GET /environments/{name}', () => {
    it.each([
      ['a name nobody uses', 'nobody-has-it'],
      ["another owner's environment", 'alices'],
      ['a name no environment can have', 'NOT_A_NAME'],
    ])('answers 404 for %s', async (_case, name) => {
      const response = await get(bob, name);

      expect(response.statusCode).toBe(404);
      expect(response.body.message).toBe(
        `There is no environment named ${name} that you can see.`
      );
    });

    it("shows a platform admin any team's environment", async () => {
      const response = await get(admin, 'alices', adminApi);

      expect(response.statusCode).toBe(200);
      expect(response.body.owner).toBe(alice.userArn);
    });
  });

  describe('GET /environments', () => {
    const list = (caller: Caller, query = {}, on = api) =>
      on.request({ method: 'GET', path: '/environments', caller, query });

    it("lists only the caller's environments, a page at a time", async () => {
      const first = await list(alice, { limit: '2' });
      const second = await list(alice, {
        limit: '100',
        nextToken: first.body.nextToken,
      });
      const names = [...first.body.environments, ...second.body.environments]
        .map((e: { name: string }) => e.name)
        .sort();

      expect(first.body.environments).toHaveLength(2);
      expect(first.body.scope).toBe('yours');
      expect(names).toEqual(['alices', 'burst', 'changed', 'fresh', 'twice']);
      expect(second.body.nextToken).toBeUndefined();
    });

    it("shows another owner none of the caller's", async () => {
      const response = await list(bob);

      expect(response.body.environments).toEqual([]);
    });

    it('lists every owner for a platform admin, and says so', async () => {
      const response = await list(admin, {}, adminApi);
      const owners = new Set(
        response.body.environments.map((e: { owner: string }) => e.owner)
      );

      expect(response.body.scope).toBe('all owners (platform admin)');
      expect(owners.has(alice.userArn)).toBe(true);
      expect(owners.size).toBeGreaterThan(1);
    });

    it.each([
      ['a forged token', { nextToken: 'bm90LWpzb24' }],
      [
        "a token of another owner's listing",
        {
          nextToken: Buffer.from(
            JSON.stringify({ name: 'fresh', owner: alice.userArn })
          ).toString('base64url'),
        },
      ],
      ['a limit past the largest page', { limit: '101' }],
    ])('answers 400 for %s', async (_case, query) => {
      const response = await list(bob, query);

      expect(response.statusCode).toBe(400);
    });
  });

  describe('DELETE /environments/{name}', () => {
    it("answers 404 for another owner's environment and starts nothing", async () => {
      const response = await remove(bob, 'alices');
      const after = await get(alice, 'alices');

      expect(response.statusCode).toBe(404);
      expect(after.body.phase).toBe('provisioning');
    });

    it('stops a provisioning still running, then tears down', async () => {
      const started = await post(alice, requestOf('stopme'));
      const response = await remove(alice, 'stopme');
      const { status } = await new SFNClient({}).send(
        new DescribeExecutionCommand({
          executionArn: started.body.executionArn,
        })
      );
      const runs = await api.runStarted();

      expect(response.statusCode).toBe(202);
      expect(response.body.stoppedExecutionArn).toBe(started.body.executionArn);
      expect(status).toBe('ABORTED');
      expect(runs.map((run) => run.executionArn)).not.toContain(
        started.body.executionArn
      );
      expect((await get(alice, 'stopme')).body.phase).toBe('deleted');
    });

    it('frees the name once the environment is deleted', async () => {
      await remove(alice, 'fresh');
      const again = await remove(alice, 'fresh');
      await api.runStarted();
      const deleted = await get(alice, 'fresh');
      const claimed = await post(bob, requestOf('fresh'));

      expect(again.statusCode).toBe(202);
      expect(deleted.body.phase).toBe('deleted');
      expect(claimed.statusCode).toBe(202);
      expect(claimed.body.attempt).toBe(1);
      expect((await get(alice, 'fresh')).statusCode).toBe(404);
    });
  });

  // Last in this file: after a resource fails, moto answers DescribeStacks
  // for that stack with HTTP 500 for the rest of its life.
  describe('after a failed attempt', () => {
    it('records the failed step and error, and starts a new attempt on request', async () => {
      await new S3Client({ forcePathStyle: true }).send(
        new CreateBucketCommand({ Bucket: `broken-django-static-${account}` })
      );
      const request = requestOf('broken', { rollbackOnFailure: false });
      const first = await post(alice, request);
      await api.runStarted();
      const failed = await get(alice, 'broken');
      const second = await post(alice, request);

      expect(failed.body).toMatchObject({
        phase: 'failed',
        error: {
          failedStep: 'Create the data stack',
          error: 'BucketAlreadyExists',
        },
      });
      expect(second.statusCode).toBe(202);
      expect(second.body.attempt).toBe(2);
      expect(second.body.executionArn).not.toBe(first.body.executionArn);
    });
  });
});
