import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { type Caller, type LocalApi, startLocalApi } from '../../local/api';
import { useEmulator } from '../support/emulator';

/**
 * POST /environments refuses bad requests through the real handler, in
 * front of the real table and state machines on the emulator: each is
 * answered 400 naming the field, and the emulator's provisioning state
 * machine has no execution afterwards.
 */

useEmulator();

const caller: Caller = { userArn: 'arn:aws:iam::123456789012:user/alice' };
const provisionArn =
  'arn:aws:states:us-east-1:123456789012:stateMachine:haven-provision';
const valid = {
  name: 'badreq',
  notificationEmail: 'team@example.com',
  app: { repository: 'https://git.example.com/team/app.git' },
};

let api: LocalApi;

beforeAll(async () => {
  api = await startLocalApi({ logSink: () => undefined });
});

/** The valid request with what a case changes; undefined removes a field. */
function withChange(change: Record<string, unknown>): string {
  return JSON.stringify({ ...valid, ...change });
}

function withSizes(sizes: Record<string, unknown>): string {
  return withChange({ sizes });
}

function withApp(app: Record<string, unknown>): string {
  return withChange({ app: { ...valid.app, ...app } });
}

function withEks(eks: Record<string, unknown>): string {
  return withChange({ eks });
}

const manyTags = Object.fromEntries(
  Array.from({ length: 21 }, (_, i) => [`tag-${i}`, 'x'])
);

const badRequests: [string, string | undefined, string, RegExp][] = [
  // Bodies that are no request at all.
  ['no body', undefined, '(body)', /is required/],
  ['an empty body', '', '(body)', /is required/],
  ['a body that is not JSON', '{"name": ', '(body)', /is not valid JSON/],
  ['a JSON array', '[]', '(body)', /must be a JSON object/],
  ['JSON null', 'null', '(body)', /must be a JSON object/],
  ['a JSON number', '42', '(body)', /must be a JSON object/],
  // Missing fields.
  ['no name', withChange({ name: undefined }), 'name', /is required/],
  [
    'no notification email',
    withChange({ notificationEmail: undefined }),
    'notificationEmail',
    /email address/,
  ],
  // Types.
  ['a name that is a number', withChange({ name: 42 }), 'name', /./],
  [
    'a dryRun that is a string',
    withChange({ dryRun: 'yes' }),
    'dryRun',
    /true or false/,
  ],
  [
    'a singleNatGateway that is a string',
    withChange({ singleNatGateway: 'no' }),
    'singleNatGateway',
    /boolean/,
  ],
  [
    'a production flag that is a number',
    withChange({ production: 1 }),
    'production',
    /boolean/,
  ],
  [
    'a rollbackOnFailure that is null',
    withChange({ rollbackOnFailure: null }),
    'rollbackOnFailure',
    /boolean/,
  ],
  ['sizes that are a string', withChange({ sizes: 'big' }), 'sizes', /object/],
  [
    'tags that are a list',
    withChange({ tags: ['a'] }),
    'tags',
    /record|object/,
  ],
  // Patterns.
  [
    'a name with capitals',
    withChange({ name: 'Demo' }),
    'name',
    /must be 3 to 20/,
  ],
  [
    'a name ending with a hyphen',
    withChange({ name: 'demo-' }),
    'name',
    /must be 3 to 20/,
  ],
  [
    'a name starting with a digit',
    withChange({ name: '1demo' }),
    'name',
    /must be 3 to 20/,
  ],
  [
    'an email without a domain',
    withChange({ notificationEmail: 'team' }),
    'notificationEmail',
    /email address/,
  ],
  [
    'a plain http repository',
    withApp({ repository: 'http://git.example.com/a.git' }),
    'app.repository',
    /https git URL/,
  ],
  [
    'a ref with a space',
    withApp({ ref: 'main branch' }),
    'app.ref',
    /branch, tag or commit/,
  ],
  [
    'a directory outside the repository',
    withApp({ directory: '../etc' }),
    'app.directory',
    /stay inside/,
  ],
  [
    'a certificate ARN of another service',
    withChange({ certificateArn: 'arn:aws:iam::123456789012:role/x' }),
    'certificateArn',
    /ACM certificate ARN/,
  ],
  [
    'an instance type the platform does not allow',
    withSizes({ instanceType: 'm5.24xlarge' }),
    'sizes.instanceType',
    /must be one of/,
  ],
  [
    'a database class the platform does not allow',
    withSizes({ dbInstanceClass: 'db.r6g.16xlarge' }),
    'sizes.dbInstanceClass',
    /must be one of/,
  ],
  [
    'a reserved haven: tag key',
    withChange({ tags: { 'haven:owner': 'me' } }),
    'tags.haven:owner',
    /reserved/,
  ],
  [
    'a reserved aws: tag key',
    withChange({ tags: { 'aws:team': 'me' } }),
    'tags.aws:team',
    /reserved/,
  ],
  [
    'an EKS version haven does not offer',
    withEks({ kubernetesVersion: '1.20' }),
    'eks.kubernetesVersion',
    /1\.35 or 1\.36/,
  ],
  [
    'an EKS service type Kubernetes does not have',
    withEks({ serviceType: 'Ingress' }),
    'eks.serviceType',
    /./,
  ],
  [
    'a node security group that is no group id',
    withEks({ cluster: { name: 'shared', nodeSecurityGroupId: 'sg-xyz' } }),
    'eks.cluster.nodeSecurityGroupId',
    /security group id/,
  ],
  // Bounds.
  [
    'a name of two characters',
    withChange({ name: 'ab' }),
    'name',
    /must be 3 to 20/,
  ],
  [
    'a name of 21 characters',
    withChange({ name: 'a'.repeat(21) }),
    'name',
    /must be 3 to 20/,
  ],
  [
    'storage below 20 GiB',
    withSizes({ dbAllocatedStorage: 10 }),
    'sizes.dbAllocatedStorage',
    /./,
  ],
  [
    'storage above 1000 GiB',
    withSizes({ dbAllocatedStorage: 5000 }),
    'sizes.dbAllocatedStorage',
    /./,
  ],
  [
    'storage in fractions of a GiB',
    withSizes({ dbAllocatedStorage: 50.5 }),
    'sizes.dbAllocatedStorage',
    /int/,
  ],
  [
    'a maximum above the platform limit',
    withSizes({ maxSize: 11 }),
    'sizes.maxSize',
    /platform's limit/,
  ],
  ['a negative minimum', withSizes({ minSize: -1 }), 'sizes.minSize', /./],
  [
    'a desired capacity above the maximum',
    withSizes({ desiredCapacity: 5, maxSize: 3 }),
    'sizes.desiredCapacity',
    /at most maxSize/,
  ],
  [
    'a minimum above the desired capacity',
    withSizes({ minSize: 3, desiredCapacity: 2 }),
    'sizes.minSize',
    /at most desiredCapacity/,
  ],
  ['no EKS replicas', withEks({ replicas: 0 }), 'eks.replicas', /./],
  [
    'more EKS nodes at least than desired',
    withEks({ nodes: { min: 3, desired: 2 } }),
    'eks.nodes.min',
    /at most eks\.nodes\.desired/,
  ],
  // Oversized fields.
  [
    'an email longer than 254 characters',
    withChange({ notificationEmail: `${'a'.repeat(250)}@example.com` }),
    'notificationEmail',
    /./,
  ],
  [
    'a repository URL over 500 characters',
    withApp({ repository: `https://git.example.com/${'a'.repeat(500)}.git` }),
    'app.repository',
    /./,
  ],
  [
    'a tag value over 256 characters',
    withChange({ tags: { team: 'x'.repeat(257) } }),
    'tags.team',
    /./,
  ],
  ['21 tags', withChange({ tags: manyTags }), 'tags', /at most 20 tags/],
  // Fields no request has.
  [
    'an owner, which is the caller',
    withChange({ owner: 'someone-else' }),
    'owner',
    /caller's IAM identity/,
  ],
  [
    'an unknown field',
    withChange({ colour: 'blue' }),
    'colour',
    /is not a known field/,
  ],
  [
    'an unknown field of sizes',
    withSizes({ colour: 'blue' }),
    'sizes.colour',
    /is not a known field/,
  ],
  [
    'an unknown field of app',
    withApp({ branch: 'main' }),
    'app.branch',
    /is not a known field/,
  ],
  [
    'an unknown field of eks',
    withEks({ colour: 'blue' }),
    'eks.colour',
    /is not a known field/,
  ],
];

async function executionsStarted(): Promise<number> {
  const { executions = [] } = await new SFNClient({}).send(
    new ListExecutionsCommand({ stateMachineArn: provisionArn })
  );

  return executions.length;
}

describe('POST /environments with a bad request', () => {
  it('has a case for each of at least 30 bad requests', () => {
    expect(badRequests.length).toBeGreaterThanOrEqual(30);
  });

  it.each(badRequests)(
    'answers 400 for %s, naming the field, and starts nothing',
    async (_case, body, field, message) => {
      const response = await api.request({
        method: 'POST',
        path: '/environments',
        caller,
        body,
      });

      expect(response.statusCode).toBe(400);
      expect(response.body.problems).toContainEqual({
        field,
        message: expect.stringMatching(message),
      });
      expect(await executionsStarted()).toBe(0);
    }
  );

  it('answers 413 for a body over 16 KiB, and starts nothing', async () => {
    const response = await api.request({
      method: 'POST',
      path: '/environments',
      caller,
      body: withChange({ pad: 'x'.repeat(16 * 1024) }),
    });

    expect(response.statusCode).toBe(413);
    expect(response.body.message).toBe('The body is larger than 16384 bytes.');
    expect(await executionsStarted()).toBe(0);
  });

  it('keeps no record of any of them', async () => {
    const response = await api.request({
      method: 'GET',
      path: '/environments',
      caller,
    });

    expect(response.body.environments).toEqual([]);
  });
});
