import {
  type DBInstance,
  DescribeDBInstancesCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../../functions/check-database/handler';
import {
  DatabaseFailedError,
  DatabaseNotReadyError,
} from '../../../functions/shared/errors';
import { captureLogs } from '../fixtures';

const rds = mockClient(RDSClient);
const correlation = { environment: 'demo', executionId: 'exec-1' };

function databaseIs(instance: Partial<DBInstance>) {
  rds
    .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'demo-db' })
    .resolves({
      DBInstances: [
        {
          DBInstanceIdentifier: 'demo-db',
          DBInstanceStatus: 'available',
          MultiAZ: true,
          AvailabilityZone: 'eu-west-1a',
          SecondaryAvailabilityZone: 'eu-west-1b',
          Endpoint: {
            Address: 'demo-db.abc.eu-west-1.rds.amazonaws.com',
            Port: 5432,
          },
          ...instance,
        },
      ],
    });
}

function check(attempt = 0) {
  return handler({ dbInstanceIdentifier: 'demo-db', attempt, correlation });
}

describe('check-database handler', () => {
  beforeEach(() => {
    rds.reset();
    captureLogs();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('is ready when available with a standby in another zone', async () => {
    // Prepare
    databaseIs({});

    // Act
    const state = await check(3);

    // Assess
    expect(state).toEqual({
      dbInstanceIdentifier: 'demo-db',
      status: 'available',
      multiAz: true,
      primaryZone: 'eu-west-1a',
      standbyZone: 'eu-west-1b',
      endpoint: 'demo-db.abc.eu-west-1.rds.amazonaws.com:5432',
      ready: true,
      attempt: 3,
      waitSeconds: 0,
    });
  });

  it.each([
    ['still being created', { DBInstanceStatus: 'creating' }],
    ['modifying', { DBInstanceStatus: 'modifying' }],
    ['not Multi-AZ', { MultiAZ: false, SecondaryAvailabilityZone: undefined }],
    ['Multi-AZ with no standby yet', { SecondaryAvailabilityZone: undefined }],
    [
      'Multi-AZ with the standby in the primary zone',
      { SecondaryAvailabilityZone: 'eu-west-1a' },
    ],
    ['with a standby but MultiAZ false', { MultiAZ: false }],
  ])('is not ready when %s', async (_case, instance) => {
    // Prepare
    databaseIs(instance);

    // Act
    const state = await check(0);

    // Assess
    expect(state).toMatchObject({ ready: false, attempt: 1, waitSeconds: 15 });
  });

  it('waits longer after each look', async () => {
    // Prepare
    databaseIs({ DBInstanceStatus: 'creating', Endpoint: undefined });

    // Act
    const waits = [];
    for (const attempt of [0, 1, 2, 3, 4, 5]) {
      waits.push((await check(attempt)).waitSeconds);
    }

    // Assess
    expect(waits).toEqual([15, 20, 30, 45, 68, 101]);
  });

  it('reports what it saw while it waits', async () => {
    // Prepare
    databaseIs({
      DBInstanceStatus: 'creating',
      SecondaryAvailabilityZone: undefined,
      Endpoint: undefined,
    });

    // Act
    const state = await check(0);

    // Assess
    expect(state).toEqual({
      dbInstanceIdentifier: 'demo-db',
      status: 'creating',
      multiAz: true,
      primaryZone: 'eu-west-1a',
      standbyZone: undefined,
      endpoint: undefined,
      ready: false,
      attempt: 1,
      waitSeconds: 15,
    });
  });

  it.each([
    'failed',
    'incompatible-network',
    'incompatible-parameters',
    'storage-full',
    'deleting',
    'stopped',
  ])('fails at once on the stuck status %s', async (status) => {
    // Prepare
    databaseIs({ DBInstanceStatus: status });

    // Act
    const invocation = check(0);

    // Assess
    await expect(invocation).rejects.toThrow(
      new DatabaseFailedError(
        `The database demo-db is ${status}, a state RDS does not leave by ` +
          'itself.'
      )
    );
    await expect(invocation).rejects.toBeInstanceOf(DatabaseFailedError);
  });

  it('fails when RDS knows no such database', async () => {
    // Prepare
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });

    // Act
    const invocation = check(0);

    // Assess
    await expect(invocation).rejects.toThrow(
      new DatabaseFailedError('The database demo-db does not exist.')
    );
  });

  it.each([
    // At once, then 15, 20, 30, 45, 68, 101, then 120 a look: look 19
    // would pass 30 minutes.
    [17, false],
    [18, true],
  ])('gives up after look %i: %s', async (attempt, givesUp) => {
    // Prepare
    databaseIs({ SecondaryAvailabilityZone: undefined });

    // Act
    const outcome = await check(attempt).then(
      () => 'waits',
      (error: Error) => error.name
    );

    // Assess
    expect(outcome).toBe(givesUp ? 'DatabaseNotReadyError' : 'waits');
  });

  it('names the status and both zones when it gives up', async () => {
    // Prepare
    databaseIs({ SecondaryAvailabilityZone: undefined });

    // Act
    const invocation = check(30);

    // Assess
    await expect(invocation).rejects.toThrow(
      new DatabaseNotReadyError(
        'The database demo-db is not available with a standby in a second ' +
          'zone after 30 minutes: status available, Multi-AZ true, primary ' +
          'zone eu-west-1a, standby zone none.'
      )
    );
    await expect(invocation).rejects.toBeInstanceOf(DatabaseNotReadyError);
  });
});
