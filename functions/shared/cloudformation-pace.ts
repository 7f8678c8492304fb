import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type {
  FinalizeHandler,
  FinalizeHandlerArguments,
  MetadataBearer,
} from '@smithy/types';
import { sdkSettings, traced } from './clients';
import { clock } from './clock';
import { CloudFormationBusyError } from './errors';
import { logger } from './logger';

/**
 * CloudFormation throttles its API per account and Region, and a hundred
 * environments built at once poll it from a hundred executions that know
 * nothing of each other. So every CloudFormation call haven makes first
 * takes a turn from a shared table. A turn lasts 1/rate of a second and
 * holds one call, which starts within it: haven then starts no more than
 * `rate` calls a second on average, nor more than rate + 1 in any one
 * second, however many executions call at once. A ticket that comes back
 * past the caller's wait is left unused; the turns after it still hold.
 */

/** How haven's functions share CloudFormation's rate. */
export interface Pace {
  /** The DynamoDB table that hands out the turns. */
  table: string;
  /** CloudFormation calls a second for haven as a whole. */
  callsPerSecond: number;
  /** How far ahead a call takes its turn before it gives up. */
  maxWaitMs: number;
}

/**
 * How long a call may wait for its turn: a workflow step has its Lambda
 * timeout of 30 s, an API request API Gateway's 29 s for everything.
 */
export const turnWaits = { workflow: 10_000, api: 2_000 } as const;

/** The pace template.yaml configures, with the wait a caller allows. */
export function paceOf(
  maxWaitMs: number,
  env: NodeJS.ProcessEnv = process.env
): Pace {
  const table = env.CALL_PACE_TABLE;
  if (!table) throw new Error('CALL_PACE_TABLE is not set');
  const callsPerSecond = Number(env.CLOUDFORMATION_CALLS_PER_SECOND);
  if (!(callsPerSecond > 0)) {
    throw new Error(
      'CLOUDFORMATION_CALLS_PER_SECOND must be a number above 0, not ' +
        `"${env.CLOUDFORMATION_CALLS_PER_SECOND ?? ''}"`
    );
  }

  return { table, callsPerSecond, maxWaitMs };
}

let client: DynamoDBClient | undefined;

function table(): DynamoDBClient {
  client ??= traced(new DynamoDBClient(sdkSettings));

  return client;
}

const key = { api: { S: 'cloudformation' } };

/**
 * Takes the next free turn from `from` on: one write when the line is
 * empty, two when calls are waiting. The table holds the first turn no
 * call has yet; it only grows, so no two calls get the same turn.
 */
async function ticket(pace: Pace, from: number): Promise<number> {
  try {
    await table().send(
      new UpdateItemCommand({
        TableName: pace.table,
        Key: key,
        UpdateExpression: 'SET nextTurn = :after',
        ConditionExpression:
          'attribute_not_exists(nextTurn) OR nextTurn <= :from',
        ExpressionAttributeValues: {
          ':from': { N: String(from) },
          ':after': { N: String(from + 1) },
        },
      })
    );

    return from;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }

  const { Attributes } = await table().send(
    new UpdateItemCommand({
      TableName: pace.table,
      Key: key,
      UpdateExpression: 'ADD nextTurn :one',
      ExpressionAttributeValues: { ':one': { N: '1' } },
      ReturnValues: 'UPDATED_NEW',
    })
  );

  return Number(Attributes?.nextTurn?.N) - 1;
}

/**
 * How long the last ticket took to come back, kept for the life of the
 * function's container. A call asks for a turn at least that far ahead,
 * so the turn has not passed when the answer comes.
 */
export const lastTicket = { ms: 0 };

/**
 * The furthest ahead a call asks for its turn. Asking jumps the line past
 * the turns before, so a container whose tickets came back slowly holds
 * the others' turns up by a second at most.
 */
const maxLeadMs = 1000;

/**
 * Waits for this call's turn: takes the next free one and sleeps until it
 * begins. A turn that is over by the time the ticket or the sleep ends is
 * given up for a later one, so a slow answer cannot bunch calls together.
 * Throws CloudFormationBusyError when the line is full: the next free
 * turn is past `maxWaitMs`. Otherwise the call never fails for its
 * pace: when the table cannot be reached, or answers so slowly that the
 * turns are over before their tickets come back (which also fills the
 * line with turns nobody used), the call goes ahead unpaced with a
 * warning. CloudFormation's own throttling and the retries on it
 * still hold, and an environment should not fail because its pacing did.
 */
export async function takeTurn(pace: Pace): Promise<void> {
  const turnMs = 1000 / pace.callsPerSecond;
  const deadline = clock.now() + pace.maxWaitMs;
  const isOver = (turn: number) => clock.now() >= (turn + 1) * turnMs;
  const unpaced = (why: string, error?: unknown) =>
    logger.warn(`The CloudFormation call goes ahead without pacing: ${why}`, {
      error,
    });

  while (clock.now() <= deadline) {
    const asked = clock.now();
    const lead = Math.min(lastTicket.ms, maxLeadMs);
    const from = Math.floor((asked + lead) / turnMs);
    let turn: number;
    try {
      turn = await ticket(pace, from);
    } catch (error) {
      unpaced(`no turn could be had from ${pace.table}`, error);

      return;
    }
    lastTicket.ms = clock.now() - asked;
    if (turn > from && turn * turnMs > deadline) {
      if (lastTicket.ms >= turnMs) {
        unpaced(`${pace.table} answers too slowly to pace the calls`);

        return;
      }
      throw new CloudFormationBusyError(
        `haven's CloudFormation calls are at their limit of ` +
          `${pace.callsPerSecond} a second, and no turn of the next ` +
          `${pace.maxWaitMs / 1000} s is free; the step is tried again ` +
          'later.'
      );
    }

    const wait = turn * turnMs - clock.now();
    if (wait > 0) await clock.sleep(wait);
    if (!isOver(turn)) return;
  }

  unpaced(
    `${pace.table} answered too slowly: every turn was over before ` +
      'its ticket came back'
  );
}

/**
 * Makes every attempt of every call of `client` wait for its turn,
 * retries included, as each one counts against CloudFormation's rate.
 * The pace is read when a call is made, from the function's environment.
 */
export function paced(
  client: CloudFormationClient,
  maxWaitMs: number
): CloudFormationClient {
  client.middlewareStack.addRelativeTo(
    (next: FinalizeHandler<object, MetadataBearer>) =>
      async (args: FinalizeHandlerArguments<object>) => {
        await takeTurn(paceOf(maxWaitMs));

        return next(args);
      },
    {
      name: 'havenCloudFormationPace',
      relation: 'after',
      toMiddleware: 'retryMiddleware',
    }
  );

  return client;
}
