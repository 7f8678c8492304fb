import type {
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  Context,
} from 'aws-lambda';
import { BadRequestError, ForbiddenError, HttpError } from './http-errors';
import { correlate, logger } from './logger';
import { type Principal, principalOf } from './principal';

/** What a route gets: the event, and the caller already identified. */
export interface ApiCall {
  event: APIGatewayProxyEvent;
  principal: Principal;
}

/** What a route answers: a status and a JSON body. */
export interface ApiAnswer {
  statusCode: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A JSON answer as API Gateway's proxy integration expects it. */
export function jsonResponse(answer: ApiAnswer): APIGatewayProxyResult {
  return {
    statusCode: answer.statusCode,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      ...answer.headers,
    },
    body: JSON.stringify(answer.body),
  };
}

function errorAnswer(error: unknown, requestId: string): ApiAnswer {
  if (error instanceof BadRequestError) {
    return {
      statusCode: 400,
      body: { message: error.message, problems: error.problems, requestId },
    };
  }
  if (error instanceof HttpError) {
    return {
      statusCode: error.statusCode,
      body: { message: error.message, requestId },
    };
  }

  // Anything else is haven's fault; its details stay in the log.
  return {
    statusCode: 500,
    body: {
      message:
        'haven could not complete the request. Quote the request id to the ' +
        'platform team.',
      requestId,
    },
  };
}

/**
 * Wraps an API route: identifies the caller (403 without an IAM
 * identity), tags every log line with the environment and the request id,
 * turns typed HTTP errors into their status and anything else into a 500
 * that leaks nothing, logging it whole.
 */
export function apiHandler(
  route: string,
  run: (call: ApiCall) => Promise<ApiAnswer>
): (
  event: APIGatewayProxyEvent,
  context?: Context
) => Promise<APIGatewayProxyResult> {
  return async (event, context) => {
    const requestId = event.requestContext?.requestId ?? 'unknown';
    correlate({
      environment: event.pathParameters?.name ?? 'unknown',
      executionId: requestId,
    });
    if (context) logger.addContext(context);
    logger.info('request received', { route });

    try {
      const principal = principalOf(event.requestContext?.identity);
      if (!principal) {
        throw new ForbiddenError(
          'The request carries no IAM identity: sign it with SigV4.'
        );
      }
      const answer = await run({ event, principal });
      logger.info('request answered', {
        route,
        statusCode: answer.statusCode,
      });

      return jsonResponse(answer);
    } catch (error) {
      const answer = errorAnswer(error, requestId);
      if (answer.statusCode >= 500) {
        logger.error('request failed', { route, error: error as Error });
      } else {
        logger.warn('request refused', {
          route,
          statusCode: answer.statusCode,
          reason: (error as Error).message,
        });
      }

      return jsonResponse(answer);
    }
  };
}

/** A path parameter API Gateway always passes on this route. */
export function pathName(event: APIGatewayProxyEvent): string {
  const name = event.pathParameters?.name;
  if (!name) {
    throw new BadRequestError([{ field: 'name', message: 'is required' }]);
  }

  return name;
}

/** The address of an environment's status, from where the call came in. */
export function environmentUrl(
  event: APIGatewayProxyEvent,
  name: string
): string {
  const { domainName = 'localhost', stage = '' } = event.requestContext ?? {};
  const base = stage
    ? `https://${domainName}/${stage}`
    : `https://${domainName}`;

  return `${base}/environments/${name}`;
}
