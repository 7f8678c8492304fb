import type { PlatformLimits } from '../shared/defaults';
import { type FieldProblem, RequestValidationError } from '../shared/errors';
import { BadRequestError, PayloadTooLargeError } from '../shared/http-errors';
import { type EnvironmentRequest, parseRequest } from '../shared/request';

/**
 * The largest body haven reads. A complete request with 20 tags of the
 * longest values stays under 8 KiB; API Gateway itself allows 10 MB.
 */
export const bodyLimitBytes = 16 * 1024;

/** A POST body after validation. */
export interface CreateBody {
  request: EnvironmentRequest;
  dryRun: boolean;
}

function textOf(body: string | null, isBase64Encoded: boolean): string {
  if (body === null || body.trim() === '') {
    throw new BadRequestError([
      { field: '(body)', message: 'is required: a JSON object' },
    ]);
  }
  const bytes = Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8');
  if (bytes.length > bodyLimitBytes) {
    throw new PayloadTooLargeError(bodyLimitBytes);
  }

  return bytes.toString('utf8');
}

function objectOf(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new BadRequestError([
      {
        field: '(body)',
        message: `is not valid JSON: ${(error as Error).message}`,
      },
    ]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BadRequestError([
      { field: '(body)', message: 'must be a JSON object' },
    ]);
  }

  return parsed as Record<string, unknown>;
}

/**
 * Reads a POST /environments body: the request schema of every
 * provisioning, closed, plus `dryRun`. `owner` is not the caller's to set:
 * haven records the caller's IAM principal instead. Every bad field is
 * named at once, with why.
 */
export function parseBody(
  body: string | null,
  isBase64Encoded: boolean,
  owner: string,
  limits: PlatformLimits
): CreateBody {
  const {
    dryRun,
    owner: claimedOwner,
    ...rest
  } = objectOf(textOf(body, isBase64Encoded));
  const problems: FieldProblem[] = [];
  if (dryRun !== undefined && typeof dryRun !== 'boolean') {
    problems.push({ field: 'dryRun', message: 'must be true or false' });
  }
  if (claimedOwner !== undefined) {
    problems.push({
      field: 'owner',
      message:
        "is not a known field here: haven records the caller's IAM " +
        'identity as the owner',
    });
  }

  let request: EnvironmentRequest | undefined;
  try {
    request = parseRequest({ ...rest, owner }, limits);
  } catch (error) {
    if (!(error instanceof RequestValidationError)) throw error;
    problems.push(...error.problems);
  }
  if (!request || problems.length > 0) throw new BadRequestError(problems);

  return { request, dryRun: dryRun === true };
}
