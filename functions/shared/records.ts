import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { sdkSettings, traced } from './clients';
import type { EnvironmentRequest } from './request';

/**
 * Where an environment is in its life. A name is free again once its
 * environment is `deleted`; after `failed` its owner may try again.
 */
export const phases = [
  'provisioning',
  'ready',
  'failed',
  'tearing down',
  'deleted',
] as const;

export type Phase = (typeof phases)[number];

/** One change of phase or step, as the record keeps it. */
export interface HistoryEntry {
  at: string;
  phase: Phase;
  step?: string;
}

/** What the team needs to use a ready environment. */
export interface EnvironmentOutputs {
  appUrl?: string;
  databaseEndpoint?: string;
  bucket?: string;
}

/** Why the last run failed, in the words of the step that failed. */
export interface RecordedError {
  error: string;
  cause: string;
  step?: string;
}

/** The table's item for one environment name. */
export interface EnvironmentRecord {
  name: string;
  /** The IAM principal that asked for it: a user or role ARN. */
  owner: string;
  /** The validated request, every default filled in. */
  request: EnvironmentRequest;
  /** Digest of the validated request: equal requests, equal digest. */
  fingerprint: string;
  phase: Phase;
  step?: string;
  outputs?: EnvironmentOutputs;
  error?: RecordedError;
  /** What a teardown could not delete. */
  leftBehind?: string[];
  history: HistoryEntry[];
  /** Counts the provisioning runs of this name since it was last free. */
  attempt: number;
  executionArn: string;
  teardownExecutionArn?: string;
  /** Whether the teardown keeps the media bucket. */
  retainBucket?: boolean;
  startedAt: string;
  endedAt?: string;
  updatedAt: string;
}

/** How many history entries a record keeps, newest last. */
export const historyLimit = 50;

let client: DynamoDBDocumentClient | undefined;

/** The document client, made on first use so only users of it pay. */
export function records(): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(
    traced(new DynamoDBClient(sdkSettings)),
    { marshallOptions: { removeUndefinedValues: true } }
  );

  return client;
}

/** The table's name, as template.yaml passes it. */
export function tableName(): string {
  const name = process.env.ENVIRONMENTS_TABLE;
  if (!name) throw new Error('ENVIRONMENTS_TABLE is not set');

  return name;
}

/** The name of the index that lists an owner's environments. */
export const ownerIndex = 'owner-index';

/** Whether an error is DynamoDB refusing a conditional write. */
export function isConditionFailed(error: unknown): boolean {
  return (error as Error).name === 'ConditionalCheckFailedException';
}

/** Reads a record, strongly consistent; undefined when there is none. */
export async function getRecord(
  name: string
): Promise<EnvironmentRecord | undefined> {
  const { Item } = await records().send(
    new GetCommand({
      TableName: tableName(),
      Key: { name },
      ConsistentRead: true,
    })
  );

  return Item as EnvironmentRecord | undefined;
}

/**
 * Writes a new claim on a name, only if the item is still as the caller
 * saw it: absent, or in the same phase and attempt. Returns false when
 * another request changed it first, so the caller reads it again.
 */
export async function putClaim(
  record: EnvironmentRecord,
  seen: EnvironmentRecord | undefined
): Promise<boolean> {
  const condition: {
    ConditionExpression: string;
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  } = seen
    ? {
        ConditionExpression: '#phase = :phase AND #attempt = :attempt',
        ExpressionAttributeNames: { '#phase': 'phase', '#attempt': 'attempt' },
        ExpressionAttributeValues: {
          ':phase': seen.phase,
          ':attempt': seen.attempt,
        },
      }
    : {
        ConditionExpression: 'attribute_not_exists(#name)',
        ExpressionAttributeNames: { '#name': 'name' },
      };
  try {
    await records().send(
      new PutCommand({ TableName: tableName(), Item: record, ...condition })
    );

    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/** The fields a progress update may change. */
export type RecordChanges = Partial<
  Pick<
    EnvironmentRecord,
    | 'phase'
    | 'step'
    | 'outputs'
    | 'error'
    | 'leftBehind'
    | 'endedAt'
    | 'teardownExecutionArn'
    | 'retainBucket'
  >
>;

/**
 * Who may change a record: the run that owns it, or a request that saw it
 * in this phase and attempt.
 */
export type UpdateGuard =
  | { executionArn: string }
  | { phase: Phase; attempt: number };

function guardOf(guard: UpdateGuard): {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
} {
  if ('executionArn' in guard) {
    // A run writes only while it is the record's current run and the
    // record is still in that run's phase: a provisioning stopped by a
    // DELETE cannot pull the record back from tearing down.
    return {
      expression:
        '((#executionArn = :run AND #phase = :provisioning) OR ' +
        '(#teardownExecutionArn = :run AND #phase = :tearingDown))',
      names: {
        '#executionArn': 'executionArn',
        '#teardownExecutionArn': 'teardownExecutionArn',
        '#phase': 'phase',
      },
      values: {
        ':run': guard.executionArn,
        ':provisioning': 'provisioning',
        ':tearingDown': 'tearing down',
      },
    };
  }

  return {
    expression: '#phase = :seenPhase AND #attempt = :seenAttempt',
    names: { '#phase': 'phase', '#attempt': 'attempt' },
    values: { ':seenPhase': guard.phase, ':seenAttempt': guard.attempt },
  };
}

/**
 * Changes a record and appends the change to its history, only while the
 * guard holds. Returns the record as written, or undefined when the guard
 * failed: another run owns the record now, or another request moved it on.
 */
export async function updateRecord(
  name: string,
  guard: UpdateGuard,
  changes: RecordChanges & { phase: Phase },
  now: Date = new Date()
): Promise<EnvironmentRecord | undefined> {
  const at = now.toISOString();
  const fields = Object.entries({ ...changes, updatedAt: at }).filter(
    ([, value]) => value !== undefined
  );
  const sets = fields.map(([key]) => `#f_${key} = :f_${key}`);
  const { expression, names, values } = guardOf(guard);
  try {
    const { Attributes } = await records().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { name },
        UpdateExpression:
          `SET ${sets.join(', ')}, #history = list_append(` +
          'if_not_exists(#history, :none), :entry)',
        ConditionExpression: `attribute_exists(#name) AND ${expression}`,
        ExpressionAttributeNames: {
          '#name': 'name',
          '#history': 'history',
          ...names,
          ...Object.fromEntries(fields.map(([key]) => [`#f_${key}`, key])),
        },
        ExpressionAttributeValues: {
          ':none': [],
          ':entry': [{ at, phase: changes.phase, step: changes.step }],
          ...values,
          ...Object.fromEntries(fields.map(([key, v]) => [`:f_${key}`, v])),
        },
        ReturnValues: 'ALL_NEW',
      })
    );

    return Attributes as EnvironmentRecord;
  } catch (error) {
    if (isConditionFailed(error)) return undefined;
    throw error;
  }
}

/** One page of records and where the next one starts. */
export interface RecordPage {
  items: EnvironmentRecord[];
  lastKey?: Record<string, string>;
}

/**
 * One page of the records of an owner, or of every owner when `owner` is
 * undefined (platform admins only).
 */
export async function listRecords(
  owner: string | undefined,
  limit: number,
  startKey?: Record<string, string>
): Promise<RecordPage> {
  const page = owner
    ? await records().send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: ownerIndex,
          KeyConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
          Limit: limit,
          ExclusiveStartKey: startKey,
        })
      )
    : await records().send(
        new ScanCommand({
          TableName: tableName(),
          Limit: limit,
          ExclusiveStartKey: startKey,
        })
      );

  return {
    items: (page.Items ?? []) as EnvironmentRecord[],
    lastKey: page.LastEvaluatedKey as Record<string, string> | undefined,
  };
}
