import { RequestValidationError } from '../../../functions/shared/errors';
import {
  handler,
  type ValidateRequestEvent,
} from '../../../functions/validate-request/handler';
import { captureLogs, executionArn } from '../fixtures';

const repository = 'https://git.example.com/team/app.git';
const minimal = {
  name: 'demo',
  notificationEmail: 'team@example.com',
  app: { repository },
};

function eventOf(request: unknown): ValidateRequestEvent {
  return {
    request,
    execution: {
      id: executionArn,
      name: 'run-1',
      startTime: '2024-05-01T10:00:00.000Z',
    },
  };
}

/** The fields a rejection names, or why the request was not rejected. */
async function rejectedFields(request: unknown): Promise<string[]> {
  try {
    await handler(eventOf(request));
  } catch (error) {
    if (error instanceof RequestValidationError) {
      return error.problems.map((problem) => problem.field);
    }
    throw error;
  }

  throw new Error('the request was accepted');
}

/** Either the value a size was filled in with, or the fields rejected. */
async function sizeOutcome(
  field: 'instanceType' | 'dbInstanceClass' | 'maxSize'
) {
  try {
    const { request } = await handler(eventOf(minimal));

    return { value: request.sizes[field] };
  } catch (error) {
    if (error instanceof RequestValidationError) {
      return { rejected: error.problems.map((problem) => problem.field) };
    }
    throw error;
  }
}

describe('validate-request handler', () => {
  let logs: ReturnType<typeof captureLogs>;

  beforeEach(() => {
    jest.replaceProperty(process, 'env', {
      ALLOWED_INSTANCE_TYPES: 't2.micro, t3.small',
      ALLOWED_DB_INSTANCE_CLASSES: 'db.t3.micro,db.t3.small',
      MAX_INSTANCES: '6',
    });
    logs = captureLogs();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('accepting a request', () => {
    it('fills every default into a minimal request', async () => {
      // Act
      const { request } = await handler(eventOf(minimal));

      // Assess
      expect(request).toEqual({
        name: 'demo',
        notificationEmail: 'team@example.com',
        owner: 'team@example.com',
        sizes: {
          instanceType: 't2.micro',
          dbInstanceClass: 'db.t3.micro',
          dbAllocatedStorage: 100,
          minSize: 1,
          desiredCapacity: 2,
          maxSize: 3,
        },
        app: { repository, ref: 'main', directory: 'app' },
        singleNatGateway: false,
        production: false,
        rollbackOnFailure: true,
        tags: {},
      });
    });

    it('keeps every value the request gives', async () => {
      // Prepare
      const full = {
        name: 'shop-2',
        notificationEmail: 'ops@example.com',
        owner: 'arn:aws:iam::123456789012:role/shop',
        sizes: {
          instanceType: 't3.small',
          dbInstanceClass: 'db.t3.small',
          dbAllocatedStorage: 20,
          minSize: 2,
          desiredCapacity: 3,
          maxSize: 6,
        },
        app: { repository, ref: 'v1.2.3', directory: 'services/web' },
        singleNatGateway: true,
        certificateArn:
          'arn:aws:acm:eu-west-1:123456789012:certificate/abc-123',
        production: true,
        rollbackOnFailure: false,
        tags: { 'cost-center': 'c42', team: 'shop' },
      };

      // Act
      const { request } = await handler(eventOf(full));

      // Assess
      expect(request).toEqual(full);
    });

    it('takes the reference app from the platform when none is given', async () => {
      // Prepare
      process.env.DEFAULT_APP_REPOSITORY = 'https://git.example.com/ref.git';
      process.env.DEFAULT_APP_REF = 'stable';

      // Act
      const { request } = await handler(
        eventOf({ name: 'demo', notificationEmail: 'team@example.com' })
      );

      // Assess
      expect(request.app).toEqual({
        repository: 'https://git.example.com/ref.git',
        ref: 'stable',
        directory: 'app',
      });
    });

    it('names the stacks haven-<name>-<tier>', async () => {
      // Act
      const state = await handler(eventOf({ ...minimal, name: 'shop-2' }));

      // Assess
      expect(state.stacks).toEqual({
        network: 'haven-shop-2-network',
        data: 'haven-shop-2-data',
        compute: 'haven-shop-2-compute',
      });
    });

    it('tears down compute first and network last', async () => {
      // Act
      const { teardownOrder } = await handler(eventOf(minimal));

      // Assess
      expect(teardownOrder).toEqual([
        { tier: 'compute', stackName: 'haven-demo-compute' },
        { tier: 'data', stackName: 'haven-demo-data' },
        { tier: 'network', stackName: 'haven-demo-network' },
      ]);
    });

    it('links the execution in the console and correlates it', async () => {
      // Act
      const { execution, correlation } = await handler(eventOf(minimal));

      // Assess
      expect(execution).toEqual({
        id: executionArn,
        name: 'run-1',
        startTime: '2024-05-01T10:00:00.000Z',
        consoleUrl:
          'https://eu-west-1.console.aws.amazon.com/states/home' +
          `?region=eu-west-1#/v2/executions/details/${executionArn}`,
      });
      expect(correlation).toEqual({
        environment: 'demo',
        executionId: executionArn,
      });
    });

    it('logs the acceptance under the environment and execution', async () => {
      // Act
      await handler(eventOf(minimal));

      // Assess
      expect(logs).toContainEqual(
        expect.objectContaining({
          message: 'request accepted',
          environment: 'demo',
          executionId: executionArn,
        })
      );
    });
  });

  describe('rejecting a request', () => {
    it.each([
      ['an uppercase name', { name: 'Demo' }, 'name'],
      ['a name of 21 characters', { name: `d${'e'.repeat(20)}` }, 'name'],
      ['a name of 2 characters', { name: 'de' }, 'name'],
      ['a name ending in a hyphen', { name: 'demo-' }, 'name'],
      ['a name starting with a digit', { name: '1demo' }, 'name'],
      ['a name with an underscore', { name: 'de_mo' }, 'name'],
      ['a missing name', { name: undefined }, 'name'],
      ['a bad email', { notificationEmail: 'team' }, 'notificationEmail'],
      [
        'an instance type the platform does not allow',
        { sizes: { instanceType: 't3.medium' } },
        'sizes.instanceType',
      ],
      [
        'a database class the platform does not allow',
        { sizes: { dbInstanceClass: 'db.r5.large' } },
        'sizes.dbInstanceClass',
      ],
      [
        'storage below 20 GiB',
        { sizes: { dbAllocatedStorage: 19 } },
        'sizes.dbAllocatedStorage',
      ],
      [
        'storage above 1000 GiB',
        { sizes: { dbAllocatedStorage: 1001 } },
        'sizes.dbAllocatedStorage',
      ],
      [
        'fractional storage',
        { sizes: { dbAllocatedStorage: 50.5 } },
        'sizes.dbAllocatedStorage',
      ],
      [
        'a minimum above the desired capacity',
        { sizes: { minSize: 3, desiredCapacity: 2 } },
        'sizes.minSize',
      ],
      [
        'a desired capacity above the maximum',
        { sizes: { desiredCapacity: 4, maxSize: 3 } },
        'sizes.desiredCapacity',
      ],
      [
        'a maximum above MAX_INSTANCES',
        { sizes: { maxSize: 7 } },
        'sizes.maxSize',
      ],
      [
        'a desired capacity of zero',
        { sizes: { minSize: 0, desiredCapacity: 0 } },
        'sizes.desiredCapacity',
      ],
      ['an unknown top-level field', { colour: 'red' }, 'colour'],
      ['an unknown size', { sizes: { cpus: 2 } }, 'sizes.cpus'],
      [
        'an unknown app field',
        { app: { repository, branch: 'main' } },
        'app.branch',
      ],
      [
        'a tag key starting aws:',
        { tags: { 'aws:team': 'x' } },
        'tags.aws:team',
      ],
      [
        'a tag key starting haven:',
        { tags: { 'Haven:owner': 'x' } },
        'tags.Haven:owner',
      ],
      [
        'an http repository',
        { app: { repository: 'http://git.example.com/app.git' } },
        'app.repository',
      ],
      [
        'an app directory outside the repository',
        { app: { repository, directory: 'app/../..' } },
        'app.directory',
      ],
      [
        'a certificate that is no ACM ARN',
        { certificateArn: 'arn:aws:iam::123456789012:server-certificate/x' },
        'certificateArn',
      ],
      [
        'a rollbackOnFailure that is no boolean',
        { rollbackOnFailure: 'yes' },
        'rollbackOnFailure',
      ],
    ])('names the field of %s', async (_case, change, field) => {
      // Act
      const fields = await rejectedFields({ ...minimal, ...change });

      // Assess
      expect(fields).toEqual([field]);
    });

    it('asks for a repository when the platform has no reference app', async () => {
      // Act
      const fields = await rejectedFields({
        name: 'demo',
        notificationEmail: 'team@example.com',
      });

      // Assess
      expect(fields).toEqual(['app.repository']);
    });

    it.each([
      ['null', null],
      ['a string', 'demo'],
      ['a number', 42],
      ['an array', [minimal]],
    ])('rejects %s as the request body', async (_case, body) => {
      // Act
      const fields = await rejectedFields(body);

      // Assess
      expect(fields).toEqual(['(request)']);
    });

    it('names every bad field at once, the size order too', async () => {
      // Act
      const fields = await rejectedFields({
        ...minimal,
        name: 'Demo',
        notificationEmail: 'team',
        sizes: { minSize: 3, desiredCapacity: 2 },
      });

      // Assess
      expect(fields.sort()).toEqual([
        'name',
        'notificationEmail',
        'sizes.minSize',
      ]);
    });

    it('says in the message what is wrong with each field', async () => {
      // Act
      const rejection = handler(
        eventOf({ ...minimal, sizes: { instanceType: 'm5.large' } })
      );

      // Assess
      await expect(rejection).rejects.toThrow(
        'The request is invalid. sizes.instanceType: must be one of ' +
          't2.micro, t3.small'
      );
      await expect(rejection).rejects.toHaveProperty(
        'name',
        'RequestValidationError'
      );
    });

    it('logs the problems under the name the request claimed', async () => {
      // Act
      await rejectedFields({ ...minimal, notificationEmail: 'team' });

      // Assess
      expect(logs).toContainEqual(
        expect.objectContaining({
          level: 'WARN',
          message: 'request rejected',
          environment: 'demo',
          problems: [
            { field: 'notificationEmail', message: 'must be an email address' },
          ],
        })
      );
    });

    // The platform team may narrow the lists below haven's own defaults; a
    // request that leaves a size out must then not be filled with a value
    // the platform forbids. Rejecting it or taking an allowed value are both
    // safe.
    it.each([
      [
        'instanceType' as const,
        { ALLOWED_INSTANCE_TYPES: 't3.small,t3.medium' },
        't3.small',
      ],
      [
        'dbInstanceClass' as const,
        { ALLOWED_DB_INSTANCE_CLASSES: 'db.t3.small' },
        'db.t3.small',
      ],
      ['maxSize' as const, { MAX_INSTANCES: '2' }, 2],
    ])(
      'never fills in a default %s the platform does not allow',
      async (field, limits, firstAllowed) => {
        // Prepare
        Object.assign(process.env, limits);

        // Act
        const outcome = await sizeOutcome(field);

        // Assess
        expect([
          { value: firstAllowed },
          { rejected: [`sizes.${field}`] },
        ]).toContainEqual(outcome);
      }
    );
  });
});
