import type { APIGatewayProxyEvent } from 'aws-lambda';

/** A REST API proxy event as API Gateway passes it with AWS_IAM auth. */
export function anApiEvent(
  overrides: {
    method?: string;
    name?: string;
    body?: unknown;
    query?: Record<string, string>;
    userArn?: string | null;
  } = {}
): APIGatewayProxyEvent {
  const {
    method = 'GET',
    name,
    body,
    query,
    userArn = 'arn:aws:iam::123456789012:user/alice',
  } = overrides;

  return {
    resource: name ? '/environments/{name}' : '/environments',
    path: name ? `/environments/${name}` : '/environments',
    httpMethod: method,
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: name ? { name } : null,
    stageVariables: null,
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      requestId: 'request-1',
      domainName: 'api.example.com',
      stage: 'v1',
      identity: { userArn },
    },
  } as unknown as APIGatewayProxyEvent;
}
