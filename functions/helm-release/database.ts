import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import {
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { sdkSettings, traced } from '../shared/clients';
import { DatabaseSecretError } from './errors';
import type { DatabaseRequest } from './event';

const rds = traced(new RDSClient(sdkSettings));
const secrets = traced(new SecretsManagerClient(sdkSettings));

/**
 * The keys of the database Secret, one per DATABASE_* variable, as the
 * django-app chart's values.yaml sets them (database.secretKeys). A release's
 * values may rename any of them.
 */
export const chartSecretKeys = {
  host: 'host',
  port: 'port',
  name: 'dbname',
  username: 'username',
  password: 'password',
} as const;

export type SecretKeys = Record<keyof typeof chartSecretKeys, string>;

/** Everything the app needs to connect, the password among it. */
export interface DatabaseConnection {
  host: string;
  port: number;
  name: string;
  username: string;
  password: string;
}

/** The Secret's keys: the chart's, with the release's renames applied. */
export function secretKeysOf(values: Record<string, unknown>): SecretKeys {
  const database = values.database as
    | { secretKeys?: Partial<SecretKeys> }
    | undefined;

  return { ...chartSecretKeys, ...database?.secretKeys };
}

function isNotFound(error: unknown): boolean {
  return (error as Error | undefined)?.name === 'DBInstanceNotFoundFault';
}

async function describeInstance(id: string) {
  try {
    const { DBInstances } = await rds.send(
      new DescribeDBInstancesCommand({ DBInstanceIdentifier: id })
    );
    const instance = DBInstances?.[0];
    if (instance) return instance;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  throw new DatabaseSecretError(
    id,
    `There is no RDS instance ${id}: the app's database Secret cannot be ` +
      'made. Check that the data tier was created.'
  );
}

async function readCredentials(id: string, secretArn: string) {
  const { SecretString } = await secrets.send(
    new GetSecretValueCommand({ SecretId: secretArn })
  );
  let parsed: { username?: unknown; password?: unknown } = {};
  try {
    parsed = JSON.parse(SecretString ?? '{}');
  } catch {
    // The message says what is wrong; the value itself is never quoted.
  }
  const { username, password } = parsed;
  if (typeof password !== 'string' || password === '') {
    throw new DatabaseSecretError(
      id,
      `The secret RDS manages for ${id} holds no password in JSON.`
    );
  }

  return { username: typeof username === 'string' ? username : '', password };
}

/**
 * Reads the instance's endpoint and database name, and the user and
 * password from the secret RDS manages for it (ManageMasterUserPassword).
 */
export async function readDatabaseConnection(
  database: DatabaseRequest
): Promise<DatabaseConnection> {
  const id = database.dbInstanceIdentifier;
  const instance = await describeInstance(id);
  const host = instance.Endpoint?.Address;
  const secretArn = instance.MasterUserSecret?.SecretArn;
  const name = database.databaseName ?? instance.DBName;
  if (!host) {
    throw new DatabaseSecretError(
      id,
      `The RDS instance ${id} has no endpoint yet (it is ` +
        `${instance.DBInstanceStatus ?? 'in an unknown state'}).`
    );
  }
  if (!secretArn) {
    throw new DatabaseSecretError(
      id,
      `The RDS instance ${id} has no secret managed by RDS: haven's data ` +
        'tier sets ManageMasterUserPassword, which this instance lacks.'
    );
  }
  if (!name) {
    throw new DatabaseSecretError(
      id,
      `The RDS instance ${id} has no database name; name one in ` +
        'database.databaseName.'
    );
  }
  const credentials = await readCredentials(id, secretArn);

  return {
    host,
    port: instance.Endpoint?.Port ?? 5432,
    name,
    username: credentials.username || (instance.MasterUsername ?? ''),
    password: credentials.password,
  };
}

/** Where the Secret goes and what it is called. */
export interface SecretPlacement {
  name: string;
  namespace: string;
  keys: SecretKeys;
  dbInstanceIdentifier: string;
}

const b64 = (value: string) => Buffer.from(value).toString('base64');

/**
 * The Secret the app's Deployment reads DATABASE_* from. Values go under
 * `data`, base64 as the API stores them, so a server-side apply owns
 * exactly these keys.
 */
export function databaseSecretManifest(
  connection: DatabaseConnection,
  placement: SecretPlacement
) {
  const { keys } = placement;

  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: placement.name,
      namespace: placement.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'haven' },
      annotations: { 'haven/db-instance': placement.dbInstanceIdentifier },
    },
    type: 'Opaque',
    data: {
      [keys.host]: b64(connection.host),
      [keys.port]: b64(String(connection.port)),
      [keys.name]: b64(connection.name),
      [keys.username]: b64(connection.username),
      [keys.password]: b64(connection.password),
    },
  };
}

/**
 * Replaces every form of the password in a text that may quote it (an
 * error message of kubectl), the plain value and its base64.
 */
export function withoutSecret(text: string, password: string): string {
  let clean = text;
  for (const form of [password, b64(password)]) {
    if (form !== '') clean = clean.split(form).join('***');
  }

  return clean;
}
