import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { bodyLimitBytes } from '../../../functions/create-environment/body';
import { handler } from '../../../functions/create-environment/handler';
import { captureLogs } from '../fixtures';

/**
 * Hostile input at the API: whatever API Gateway hands POST /environments
 * (any body, any base64 flag, any headers, any identity or none), the
 * handler answers below 500, starts no execution unless it accepted the
 * request, and names a field in every 400. DynamoDB and Step Functions are
 * mocked: what is under test is the handler's reading of the event.
 */

const dynamo = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);

const alice = 'arn:aws:iam::123456789012:user/alice';

const valid = {
  name: 'fuzz',
  notificationEmail: 'team@example.com',
  app: { repository: 'https://git.example.com/team/app.git' },
};

/** What API Gateway can put in an event's identity, signed or not. */
const identity = fc.oneof(
  { arbitrary: fc.constant({ userArn: alice }), weight: 6 },
  fc.constant(undefined),
  fc.constant({ userArn: null }),
  fc.record({
    userArn: fc.oneof(
      fc.constantFrom(
        alice,
        'arn:aws:sts::123456789012:assumed-role/team/session',
        '',
        'arn:',
        'anonymous'
      ),
      fc.string()
    ),
  })
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  '',
  '*/*;;;'
);

interface Hostile {
  body: string | null;
  isBase64Encoded: boolean;
  contentType?: string;
  identity?: { userArn: string | null };
}

function eventOf(input: Hostile): APIGatewayProxyEvent {
  return {
    resource: '/environments',
    path: '/environments',
    httpMethod: 'POST',
    // API Gateway passes null when the request had no headers at all.
    headers:
      input.contentType === undefined
        ? null
        : { 'content-type': input.contentType },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: input.body,
    isBase64Encoded: input.isBase64Encoded,
    requestContext: {
      requestId: 'request-fuzz',
      domainName: 'api.example.com',
      stage: 'v1',
      identity: input.identity,
    },
  } as unknown as APIGatewayProxyEvent;
}

interface Answer {
  statusCode: number;
  body: {
    problems?: { field: string; message: string }[];
    executionArn?: string;
  };
  started: number;
  /** The owner in the input of the execution started, if one was. */
  startedOwner?: string;
  writes: number;
}

async function post(input: Hostile): Promise<Answer> {
  dynamo.resetHistory();
  sfn.resetHistory();
  const result = await handler(eventOf(input));
  const start = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
  const answer = {
    statusCode: result.statusCode,
    body: JSON.parse(result.body) as Answer['body'],
    started: sfn.commandCalls(StartExecutionCommand).length,
    startedOwner: start
      ? (JSON.parse(start.input ?? '{}') as { owner?: string }).owner
      : undefined,
    writes:
      dynamo.commandCalls(PutCommand).length +
      dynamo.commandCalls(UpdateCommand).length,
  };

  expect(answer.statusCode).toBeLessThan(500);
  if (answer.statusCode >= 400) {
    expect(answer.started).toBe(0);
    expect(answer.writes).toBe(0);
  }
  if (answer.statusCode === 400) {
    expect(answer.body.problems?.length).toBeGreaterThan(0);
    for (const problem of answer.body.problems ?? []) {
      expect(problem.field).toMatch(/\S/);
      expect(problem.message).toMatch(/\S/);
    }
  }

  return answer;
}

/** A body as text, in any of the shapes a caller can send. */
const anyBody = fc.oneof(
  fc.json(),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.anything().map((value) => JSON.stringify(value) ?? 'undefined'),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('', ' ', '\n', 'null', '[]', '{}', '"{}"', '{"a":', '\u0000')
);

/** A request that is nearly right: the valid one with hostile fields. */
const fields = [
  'name',
  'notificationEmail',
  'owner',
  'dryRun',
  'sizes',
  'app',
  'eks',
  'tags',
  'certificateArn',
  'rollbackOnFailure',
  '__proto__',
  'constructor',
];
const nearlyRight = fc
  .dictionary(fc.constantFrom(...fields), fc.jsonValue(), { minKeys: 1 })
  .map((changes) => JSON.stringify({ ...valid, ...changes }));

/** A good value nine times in ten, else a bad one. */
function mostly<T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) {
  return fc.oneof(
    { arbitrary: good, weight: 9 },
    { arbitrary: bad, weight: 1 }
  );
}

/** Requests that may be valid, so the accepted path is reached too. */
const plausible = fc
  .record(
    {
      sizes: fc.record(
        {
          instanceType: mostly(
            fc.constantFrom('t3.micro', 't3.small'),
            fc.constant('m5.huge')
          ),
          minSize: mostly(fc.integer({ min: 0, max: 2 }), fc.constant(-1)),
          desiredCapacity: mostly(
            fc.integer({ min: 2, max: 3 }),
            fc.integer({ min: -1, max: 12 })
          ),
          maxSize: mostly(
            fc.integer({ min: 3, max: 10 }),
            fc.integer({ min: 0, max: 12 })
          ),
          dbAllocatedStorage: mostly(
            fc.integer({ min: 20, max: 1000 }),
            fc.constantFrom(0, 19, 1001, 1.5)
          ),
        },
        { requiredKeys: [] }
      ),
      production: fc.boolean(),
      singleNatGateway: fc.boolean(),
      dryRun: fc.boolean(),
      tags: fc.dictionary(
        mostly(fc.stringMatching(/^[a-z]{1,8}$/), fc.string()),
        mostly(fc.string({ maxLength: 256 }), fc.string({ minLength: 257 })),
        { maxKeys: 22 }
      ),
      eks: fc.record(
        {
          cluster: fc.record({
            name: mostly(fc.constant('shared'), fc.string()),
            nodeSecurityGroupId: mostly(
              fc.constant('sg-0123456789abcdef0'),
              fc.constant('sg-x')
            ),
          }),
          namespace: mostly(fc.constant('team'), fc.string()),
          replicas: mostly(fc.integer({ min: 2, max: 5 }), fc.constant(0)),
          monitoring: fc.boolean(),
          serviceType: mostly(
            fc.constantFrom('LoadBalancer', 'ClusterIP'),
            fc.constant('Ingress')
          ),
        },
        { requiredKeys: [] }
      ),
    },
    { requiredKeys: [] }
  )
  .map((extra) => JSON.stringify({ ...valid, ...extra }));

const base64 = (text: string) => Buffer.from(text).toString('base64');

beforeEach(() => {
  dynamo.reset();
  sfn.reset();
  captureLogs();
  process.env.ENVIRONMENTS_TABLE = 'haven-environments';
  process.env.PROVISION_STATE_MACHINE_ARN =
    'arn:aws:states:us-east-1:123456789012:stateMachine:haven-provision';
  dynamo.on(GetCommand).resolves({});
  dynamo.on(PutCommand).resolves({});
  dynamo.on(UpdateCommand).resolves({});
  sfn.on(StartExecutionCommand).resolves({});
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('POST /environments under hostile input', () => {
  it('refuses any body, flag, content type and identity below 500', async () => {
    const hostile = fc.record({
      body: fc.option(anyBody, { nil: null }),
      isBase64Encoded: fc.boolean(),
      contentType: fc.option(contentType, { nil: undefined }),
      identity,
    });

    await fc.assert(
      fc.asyncProperty(hostile, async (input) => {
        const answer = await post(input);

        expect([400, 403, 413]).toContain(answer.statusCode);
      }),
      { numRuns: 400 }
    );
  });

  it('names a field for a signed, nearly right request, or accepts it', async () => {
    const signed = fc.record({
      body: fc.oneof(nearlyRight, plausible),
      isBase64Encoded: fc.constant(false),
      contentType,
      identity: fc.constant({ userArn: alice }),
    });

    await fc.assert(
      fc.asyncProperty(signed, async (input) => {
        const answer = await post(input);
        const dryRun = (JSON.parse(input.body) as { dryRun?: unknown }).dryRun;

        if (answer.statusCode === 202) {
          expect(answer.started).toBe(1);
          expect(answer.startedOwner).toBe(alice);
          expect(answer.body.executionArn).toMatch(/^arn:aws:states:/);
        } else if (answer.statusCode === 200) {
          expect(dryRun).toBe(true);
          expect(answer.started + answer.writes).toBe(0);
        } else {
          expect(answer.statusCode).toBe(400);
        }
      }),
      { numRuns: 400 }
    );
  });

  it('reads a base64 body as API Gateway passes binary media', async () => {
    const encoded = fc.record({
      body: fc.oneof(nearlyRight, anyBody).map(base64),
      isBase64Encoded: fc.constant(true),
      identity: fc.constant({ userArn: alice }),
    });

    await fc.assert(
      fc.asyncProperty(encoded, async (input) => {
        const answer = await post(input);

        expect([202, 400]).toContain(answer.statusCode);
      }),
      { numRuns: 200 }
    );
    const answer = await post({
      body: base64(JSON.stringify(valid)),
      isBase64Encoded: true,
      identity: { userArn: alice },
    });
    expect(answer.statusCode).toBe(202);
  });

  it('answers 413 to a body over the limit, however it is made', async () => {
    const padding = fc.integer({ min: 1, max: 64 * 1024 });
    const huge = fc.oneof(
      padding.map((n) =>
        JSON.stringify({
          ...valid,
          tags: { big: 'x'.repeat(bodyLimitBytes + n) },
        })
      ),
      padding.map(
        (n) => `${JSON.stringify(valid)}${' '.repeat(bodyLimitBytes + n)}`
      ),
      padding.map((n) => '['.repeat(bodyLimitBytes + n)),
      padding.map((n) => '\u00e9'.repeat(bodyLimitBytes / 2 + n))
    );

    await fc.assert(
      fc.asyncProperty(huge, fc.boolean(), async (text, encode) => {
        const answer = await post({
          body: encode ? base64(text) : text,
          isBase64Encoded: encode,
          identity: { userArn: alice },
        });

        expect(answer.statusCode).toBe(413);
      }),
      { numRuns: 50 }
    );
  });

  it('answers 400 to JSON nested deeper than any request', async () => {
    const depth = Math.floor(bodyLimitBytes / 2) - 100;
    const bodies = [
      `${'['.repeat(depth)}${']'.repeat(depth)}`,
      `{"tags":${'{"a":'.repeat(depth / 5)}1${'}'.repeat(depth / 5)}}`,
      JSON.stringify({
        ...valid,
        sizes: JSON.parse(`${'['.repeat(500)}${']'.repeat(500)}`),
      }),
    ];

    for (const body of bodies) {
      const answer = await post({
        body,
        isBase64Encoded: false,
        identity: { userArn: alice },
      });

      expect(answer.statusCode).toBe(400);
    }
  });

  it('answers 403 to a valid request without an IAM identity', async () => {
    const unsigned = fc.oneof(
      fc.constant(undefined),
      fc.constant({ userArn: null }),
      fc
        .string()
        .filter((s) => !s.startsWith('arn:'))
        .map((userArn) => ({ userArn }))
    );

    await fc.assert(
      fc.asyncProperty(unsigned, async (who) => {
        const answer = await post({
          body: JSON.stringify(valid),
          isBase64Encoded: false,
          identity: who,
        });

        expect(answer.statusCode).toBe(403);
        expect(dynamo.calls()).toHaveLength(0);
      }),
      { numRuns: 100 }
    );
    const bare = eventOf({
      body: JSON.stringify(valid),
      isBase64Encoded: false,
    });
    const result = await handler({
      ...bare,
      requestContext: undefined,
    } as unknown as APIGatewayProxyEvent);
    expect(result.statusCode).toBe(403);
  });
});
