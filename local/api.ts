import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { readTemplate } from './cfn-yaml';
import { repoRoot } from './emulator';
import { localResources } from './provision';
import {
  definitionPathOf,
  ensureStateMachines,
  ensureTables,
} from './resources';
import { type LocalFunction, samFunctions } from './sam-functions';
import { type EventLog, type LocalExecution, runLocally } from './workflow';

/**
 * A local stand-in for API Gateway in front of haven's API functions.
 *
 * What is the same as in AWS: the routes and the function behind each are
 * read from api/openapi.yaml, each function gets the environment
 * template.yaml gives it, the event is a REST API proxy event with the
 * caller's IAM identity in requestContext.identity, and the functions
 * call DynamoDB and Step Functions (StartExecution, StopExecution) on the
 * emulator exactly as they call AWS.
 *
 * What is local only: SigV4 is not checked (the caller is whatever the
 * test says), and the emulator's Step Functions records executions without
 * running them. `runStarted` therefore runs each recorded execution with
 * the interpreter (local/workflow.ts), with its recorded input, name and
 * ARN, so the real workflow keeps the record current as it does in AWS.
 */

/** The IAM identity a request is signed with. */
export interface Caller {
  /** As API Gateway reports it: a user ARN or an assumed-role session ARN. */
  userArn: string;
}

export interface LocalApiRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** The path after the stage, such as /environments/demo. */
  path: string;
  query?: Record<string, string>;
  /** An object is sent as JSON; a string as it is. */
  body?: unknown;
  /** Left out, the request carries no IAM identity. */
  caller?: Caller;
}

export interface LocalApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: a JSON body of any route.
  body: any;
}

interface Route {
  method: string;
  /** The OpenAPI path, such as /environments/{name}. */
  template: string;
  pattern: RegExp;
  fn: LocalFunction;
}

type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

function routesOf(functions: LocalFunction[]): Route[] {
  const api = readTemplate(join(repoRoot, 'api', 'openapi.yaml')) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const routes: Route[] = [];
  for (const [template, operations] of Object.entries(api.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const uri = JSON.stringify(
        (operation as { 'x-amazon-apigateway-integration'?: unknown })?.[
          'x-amazon-apigateway-integration'
        ] ?? ''
      );
      const logicalId = uri.match(/\$\{(\w+)\.Arn\}/)?.[1];
      const fn = functions.find((f) => f.logicalId === logicalId);
      if (!fn) continue;
      const pattern = new RegExp(
        `^${template.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`
      );
      routes.push({ method: method.toUpperCase(), template, pattern, fn });
    }
  }

  return routes;
}

function eventOf(request: LocalApiRequest, route: Route): APIGatewayProxyEvent {
  const match = request.path.match(route.pattern);
  const body =
    request.body === undefined
      ? null
      : typeof request.body === 'string'
        ? request.body
        : JSON.stringify(request.body);
  const account = request.caller?.userArn.split(':')[4] ?? localAwsAccount;

  return {
    resource: route.template,
    path: request.path,
    httpMethod: request.method,
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: request.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: match?.groups ? { ...match.groups } : null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: localAwsAccount,
      apiId: 'local',
      authorizer: null,
      domainName: 'localhost',
      httpMethod: request.method,
      path: `/v1${request.path}`,
      protocol: 'HTTP/1.1',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: route.template,
      stage: 'v1',
      identity: {
        accessKey: null,
        accountId: request.caller ? account : null,
        apiKey: null,
        apiKeyId: null,
        caller: request.caller ? `LOCAL:${request.caller.userArn}` : null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '127.0.0.1',
        user: null,
        userAgent: 'haven-local-api',
        userArn: request.caller?.userArn ?? null,
      },
    },
  } as APIGatewayProxyEvent;
}

const localAwsAccount = '123456789012';

export interface LocalApiOptions {
  /** Values for template.yaml's parameters, PlatformAdminPrincipals say. */
  parameters?: Record<string, string>;
  /** Receives what the handlers and workflows log. */
  logSink?: (text: string) => void;
  /** Variables that differ on this machine only, such as helm's path. */
  environment?: Record<string, string>;
}

export interface RunStartedOptions {
  onEvent?: (event: EventLog) => void;
}

/** The API and the runner of the executions it starts. */
export interface LocalApi {
  request(request: LocalApiRequest): Promise<LocalApiResponse>;
  /**
   * Runs every execution started since the last call, oldest first, with
   * the interpreter; a stopped one (StopExecution) is not run. `onEvent`
   * hears every event of each, as it happens.
   */
  runStarted(options?: RunStartedOptions): Promise<LocalExecution[]>;
}

/**
 * Creates template.yaml's table and state machines on the emulator the
 * AWS SDK points at, and answers requests as API Gateway would.
 */
export async function startLocalApi(
  options: LocalApiOptions = {}
): Promise<LocalApi> {
  const values = { resources: localResources, parameters: options.parameters };
  const functions = samFunctions(values);
  const routes = routesOf(functions);
  await ensureTables();
  const machines = await ensureStateMachines();
  const sfn = new SFNClient({});
  const alreadyRun = new Set<string>();

  const call = async (request: LocalApiRequest): Promise<LocalApiResponse> => {
    const route = routes.find(
      (r) => r.method === request.method && r.pattern.test(request.path)
    );
    if (!route) {
      // API Gateway answers an unknown route itself, before any function.
      return {
        statusCode: 403,
        headers: {},
        body: { message: 'Missing Authentication Token' },
      };
    }
    Object.assign(process.env, route.fn.environment);
    const module = (await import(route.fn.entryPoint)) as { handler: Handler };
    const writes = [process.stdout.write, process.stderr.write];
    if (options.logSink) {
      const sink = options.logSink;
      process.stdout.write = ((chunk: string) => {
        sink(String(chunk));

        return true;
      }) as never;
      process.stderr.write = process.stdout.write;
    }
    try {
      const result = await module.handler(eventOf(request, route));

      return {
        statusCode: result.statusCode,
        headers: (result.headers ?? {}) as Record<string, string>,
        body: result.body ? JSON.parse(result.body) : undefined,
      };
    } finally {
      [process.stdout.write, process.stderr.write] = writes as [
        typeof process.stdout.write,
        typeof process.stderr.write,
      ];
    }
  };

  const runStarted = async (
    runOptions: RunStartedOptions = {}
  ): Promise<LocalExecution[]> => {
    const started: { machineId: string; arn: string; startDate: number }[] = [];
    for (const [machineId, stateMachineArn] of Object.entries(machines)) {
      const { executions = [] } = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn })
      );
      for (const execution of executions) {
        const arn = execution.executionArn ?? '';
        if (alreadyRun.has(arn) || execution.status === 'ABORTED') continue;
        started.push({
          machineId,
          arn,
          startDate: execution.startDate?.getTime() ?? 0,
        });
      }
    }
    started.sort((a, b) => a.startDate - b.startDate);

    const results: LocalExecution[] = [];
    for (const { machineId, arn } of started) {
      alreadyRun.add(arn);
      const described = await sfn.send(
        new DescribeExecutionCommand({ executionArn: arn })
      );
      results.push(
        await runLocally({
          definitionPath: definitionPathOf(machineId),
          stateMachineId: machineId,
          input: JSON.parse(described.input ?? '{}'),
          executionName: described.name ?? arn.split(':').pop() ?? '',
          executionArn: arn,
          values,
          environmentOverrides: {
            TEMPLATES_DIR: join(repoRoot, 'templates'),
            CHARTS_DIR: join(repoRoot, 'templates', 'charts'),
            ...options.environment,
          },
          logSink: options.logSink ?? (() => undefined),
          onEvent: runOptions.onEvent,
        })
      );
    }

    return results;
  };

  return { request: call, runStarted };
}
