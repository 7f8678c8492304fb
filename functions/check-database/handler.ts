import {
  type DBInstance,
  DescribeDBInstancesCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { sdkSettings, traced } from '../shared/clients';
import { DatabaseFailedError, DatabaseNotReadyError } from '../shared/errors';
import { type TaskEvent, taskHandler } from '../shared/handler';
import { logger } from '../shared/logger';
import {
  boundMinutes,
  isPastBound,
  nextPoll,
  type PollState,
  pollPlans,
} from '../shared/polling';

const rds = traced(new RDSClient(sdkSettings));

export interface CheckDatabaseEvent extends TaskEvent {
  dbInstanceIdentifier: string;
  attempt: number;
}

export interface DatabaseState extends PollState {
  dbInstanceIdentifier: string;
  status: string;
  multiAz: boolean;
  primaryZone?: string;
  standbyZone?: string;
  endpoint?: string;
}

// Statuses RDS does not leave without someone acting on the instance.
const stuckStatuses = new Set([
  'failed',
  'incompatible-network',
  'incompatible-option-group',
  'incompatible-parameters',
  'incompatible-restore',
  'inaccessible-encryption-credentials',
  'restore-error',
  'storage-full',
  'deleting',
  'stopped',
]);

function describe(instance: DBInstance) {
  return {
    status: instance.DBInstanceStatus ?? 'unknown',
    multiAz: instance.MultiAZ === true,
    primaryZone: instance.AvailabilityZone,
    standbyZone: instance.SecondaryAvailabilityZone,
    endpoint: instance.Endpoint?.Address
      ? `${instance.Endpoint.Address}:${instance.Endpoint.Port}`
      : undefined,
  };
}

async function findInstance(identifier: string) {
  try {
    const { DBInstances = [] } = await rds.send(
      new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier })
    );

    return DBInstances[0];
  } catch (error) {
    if ((error as Error).name === 'DBInstanceNotFoundFault') return undefined;
    throw error;
  }
}

/**
 * One look at the environment's database. It is ready when RDS reports it
 * available with a standby in a second zone: the Multi-AZ flag alone only
 * says a standby was asked for, not that it exists.
 */
export const handler = taskHandler(
  'check the database',
  async (event: CheckDatabaseEvent): Promise<DatabaseState> => {
    const instance = await findInstance(event.dbInstanceIdentifier);
    if (!instance) {
      throw new DatabaseFailedError(
        `The database ${event.dbInstanceIdentifier} does not exist.`
      );
    }
    const seen = describe(instance);
    const base = { dbInstanceIdentifier: event.dbInstanceIdentifier, ...seen };

    if (stuckStatuses.has(seen.status)) {
      throw new DatabaseFailedError(
        `The database ${event.dbInstanceIdentifier} is ${seen.status}, a ` +
          'state RDS does not leave by itself.'
      );
    }
    const hasStandby =
      seen.multiAz &&
      seen.standbyZone !== undefined &&
      seen.standbyZone !== seen.primaryZone;
    if (seen.status === 'available' && hasStandby) {
      logger.info('database ready', seen);

      return { ...base, ready: true, attempt: event.attempt, waitSeconds: 0 };
    }

    const plan = pollPlans.database;
    if (isPastBound(plan, event.attempt + 1)) {
      const standby = seen.standbyZone ?? 'none';
      throw new DatabaseNotReadyError(
        `The database ${event.dbInstanceIdentifier} is not available with ` +
          `a standby in a second zone after ${boundMinutes(plan)} minutes: ` +
          `status ${seen.status}, Multi-AZ ${seen.multiAz}, primary zone ` +
          `${seen.primaryZone ?? 'unknown'}, standby zone ${standby}.`
      );
    }

    return { ...base, ...nextPoll(plan, event.attempt) };
  }
);
