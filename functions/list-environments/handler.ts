import { apiHandler } from '../shared/api-handler';
import type { FieldProblem } from '../shared/errors';
import { BadRequestError } from '../shared/http-errors';
import { listRecords } from '../shared/records';

/** Largest and default page sizes of the listing. */
export const pageLimits = { default: 20, max: 100 } as const;

function limitOf(value: string | undefined): number {
  if (value === undefined) return pageLimits.default;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > pageLimits.max) {
    throw new BadRequestError([
      {
        field: 'limit',
        message: `must be a whole number from 1 to ${pageLimits.max}`,
      },
    ]);
  }

  return limit;
}

const badToken: FieldProblem = {
  field: 'nextToken',
  message: 'is not a token this listing gave you',
};

/**
 * The page token: the key DynamoDB stopped at, as base64url JSON. It is
 * opaque to the caller, and a forged one cannot widen the listing: the
 * query stays on the caller's own owner key whatever the token says.
 */
export function encodeToken(key: Record<string, string>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The key a page token stands for; a 400 naming `nextToken` for anything
 * this listing could not have given the caller.
 */
export function decodeToken(
  token: string | undefined,
  owner: string | undefined
): Record<string, string> | undefined {
  if (token === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new BadRequestError([badToken]);
  }
  const entries =
    typeof key === 'object' && key !== null ? Object.entries(key) : [];
  const wellFormed =
    entries.length > 0 &&
    entries.every(
      ([k, v]) => ['name', 'owner'].includes(k) && typeof v === 'string'
    ) &&
    typeof (key as { name?: unknown }).name === 'string';
  if (!wellFormed) throw new BadRequestError([badToken]);
  const parsed = key as Record<string, string>;
  if (owner !== undefined && parsed.owner !== owner) {
    throw new BadRequestError([badToken]);
  }

  return parsed;
}

/**
 * GET /environments: the caller's environments, a page at a time (`limit`,
 * then `nextToken` from the previous page). A platform admin sees every
 * team's, and the answer says so.
 */
export const handler = apiHandler(
  'GET /environments',
  async ({ event, principal }) => {
    const query = event.queryStringParameters ?? {};
    const limit = limitOf(query.limit);
    const owner = principal.isAdmin ? undefined : principal.arn;
    const page = await listRecords(
      owner,
      limit,
      decodeToken(query.nextToken, owner)
    );

    return {
      statusCode: 200,
      body: {
        scope: principal.isAdmin ? 'all owners (platform admin)' : 'yours',
        environments: page.items.map((record) => ({
          name: record.name,
          owner: record.owner,
          phase: record.phase,
          step: record.step,
          attempt: record.attempt,
          startedAt: record.startedAt,
          endedAt: record.endedAt,
        })),
        nextToken: page.lastKey ? encodeToken(page.lastKey) : undefined,
      },
    };
  }
);
