import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { clock } from '../../../functions/shared/clock';
import {
  lastTicket,
  type Pace,
  paceOf,
  takeTurn,
} from '../../../functions/shared/cloudformation-pace';
import { CloudFormationBusyError } from '../../../functions/shared/errors';
import { readTemplate } from '../../../local/cfn-yaml';
import { repoRoot } from '../../../local/emulator';
import { samFunctions } from '../../../local/sam-functions';
import { awsError, captureLogs } from '../fixtures';

const dynamodb = mockClient(DynamoDBClient);
const pace: Pace = {
  table: 'haven-call-pace',
  callsPerSecond: 4,
  maxWaitMs: 10_000,
};
/** The condition of the write that takes a turn when nobody waits. */
const emptyLine = 'attribute_not_exists(nextTurn) OR nextTurn <= :from';
const secondWrite = () =>
  dynamodb.commandCalls(UpdateItemCommand)[1]?.args[0].input;
const taken = () =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
  });

/** A clock that moves only when told to, or when something sleeps. */
function fakeClock(startMs: number) {
  let now = startMs;
  const slept: number[] = [];
  clock.now = () => now;
  clock.sleep = async (ms) => {
    slept.push(ms);
    now += ms;
  };

  return {
    slept,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('cloudformation-pace', () => {
  const real = { ...clock };

  beforeEach(() => {
    dynamodb.reset();
    lastTicket.ms = 0;
  });

  afterEach(() => Object.assign(clock, real));

  describe('paceOf', () => {
    it('reads the table and the rate that template.yaml passes', () => {
      // Act
      const read = paceOf(2_000, {
        CALL_PACE_TABLE: 'haven-call-pace',
        CLOUDFORMATION_CALLS_PER_SECOND: '4',
      });

      // Assess
      expect(read).toEqual({
        table: 'haven-call-pace',
        callsPerSecond: 4,
        maxWaitMs: 2_000,
      });
    });

    it('names the missing table variable', () => {
      // Act
      const read = () =>
        paceOf(2_000, { CLOUDFORMATION_CALLS_PER_SECOND: '4' });

      // Assess
      expect(read).toThrow('CALL_PACE_TABLE is not set');
    });

    it.each(['', '0', '-1', 'four'])('refuses the rate "%s"', (rate) => {
      // Act
      const read = () =>
        paceOf(2_000, {
          CALL_PACE_TABLE: 'haven-call-pace',
          CLOUDFORMATION_CALLS_PER_SECOND: rate,
        });

      // Assess
      expect(read).toThrow(
        `CLOUDFORMATION_CALLS_PER_SECOND must be a number above 0, not "${rate}"`
      );
    });
  });

  describe('takeTurn', () => {
    it('takes the current turn of an empty line with one write, at once', async () => {
      // Arrange
      const time = fakeClock(10_100);
      dynamodb.on(UpdateItemCommand).resolves({});

      // Act
      await takeTurn(pace);

      // Assess
      expect(dynamodb).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
      expect(dynamodb).toHaveReceivedCommandWith(UpdateItemCommand, {
        TableName: 'haven-call-pace',
        Key: { api: { S: 'cloudformation' } },
        ConditionExpression: emptyLine,
        ExpressionAttributeValues: {
          ':from': { N: '40' },
          ':after': { N: '41' },
        },
      });
      expect(time.slept).toEqual([]);
    });

    it('queues behind waiting calls and sleeps until its turn begins', async () => {
      // Arrange
      const time = fakeClock(10_100);
      dynamodb
        .on(UpdateItemCommand, { ConditionExpression: undefined })
        .resolves({ Attributes: { nextTurn: { N: '44' } } })
        .on(UpdateItemCommand, {
          ConditionExpression: emptyLine,
        })
        .rejects(taken());

      // Act
      await takeTurn(pace);

      // Assess: turn 43 begins at 10 750 ms.
      expect(dynamodb).toHaveReceivedCommandTimes(UpdateItemCommand, 2);
      expect(secondWrite()).toMatchObject({
        UpdateExpression: 'ADD nextTurn :one',
        ReturnValues: 'UPDATED_NEW',
      });
      expect(time.slept).toEqual([650]);
    });

    it('gives up a turn that is over when its ticket comes back', async () => {
      // Arrange: the first answer takes 300 ms, longer than a turn.
      const time = fakeClock(10_100);
      dynamodb
        .on(UpdateItemCommand)
        .callsFakeOnce(() => {
          time.advance(300);
          return {};
        })
        .resolves({});

      // Act
      await takeTurn(pace);

      // Assess: turn 40 (10 000 to 10 250 ms) was over; the second ticket
      // asks for the turn one answer ahead, 10 700 ms, which is turn 42.
      expect(dynamodb).toHaveReceivedCommandTimes(UpdateItemCommand, 2);
      expect(secondWrite()).toMatchObject({
        ExpressionAttributeValues: {
          ':from': { N: '42' },
          ':after': { N: '43' },
        },
      });
      expect(time.slept).toEqual([100]);
    });

    it('is busy when the next free turn is past the wait it may take', async () => {
      // Arrange
      fakeClock(10_100);
      dynamodb
        .on(UpdateItemCommand, { ConditionExpression: undefined })
        .resolves({ Attributes: { nextTurn: { N: '200' } } })
        .on(UpdateItemCommand, {
          ConditionExpression: emptyLine,
        })
        .rejects(taken());

      // Act
      const turn = takeTurn(pace);

      // Assess
      await expect(turn).rejects.toThrow(CloudFormationBusyError);
      await expect(turn).rejects.toThrow(
        "haven's CloudFormation calls are at their limit of 4 a second, and " +
          'no turn of the next 10 s is free; the step is tried again later.'
      );
    });

    it('asks a slow table for a turn as far ahead as its last answer took', async () => {
      // Arrange: every answer takes 600 ms, more than two turns.
      const time = fakeClock(10_100);
      const logs = captureLogs();
      dynamodb.on(UpdateItemCommand).callsFake(() => {
        time.advance(600);
        return {};
      });

      // Act
      await takeTurn(pace);

      // Assess: turn 40 was over when the first answer came, at 10 700 ms;
      // the second ticket asked for 11 300 ms, turn 45, which had begun.
      expect(secondWrite()).toMatchObject({
        ExpressionAttributeValues: { ':from': { N: '45' } },
      });
      expect(dynamodb).toHaveReceivedCommandTimes(UpdateItemCommand, 2);
      expect(logs.filter((line) => line.level === 'WARN')).toEqual([]);
    });

    it('asks at most a second ahead, however slow the last answer was', async () => {
      // Arrange
      fakeClock(10_100);
      lastTicket.ms = 5_000;
      dynamodb.on(UpdateItemCommand).resolves({});

      // Act
      await takeTurn(pace);

      // Assess: 11 100 ms is turn 44; 5 s ahead would have been turn 60.
      expect(dynamodb).toHaveReceivedCommandWith(UpdateItemCommand, {
        ExpressionAttributeValues: {
          ':from': { N: '44' },
          ':after': { N: '45' },
        },
      });
    });

    it('lets the call go ahead unpaced when every ticket comes back too late', async () => {
      // Arrange: each answer takes twice as long as the one before, from
      // half a second on, so asking that far ahead never catches up.
      const time = fakeClock(10_100);
      const logs = captureLogs();
      let answerMs = 500;
      dynamodb.on(UpdateItemCommand).callsFake(() => {
        time.advance(answerMs);
        answerMs *= 2;
        return {};
      });

      // Act
      await takeTurn(pace);

      // Assess: tickets were asked for until the 10 s wait was spent.
      expect(
        dynamodb.commandCalls(UpdateItemCommand).length
      ).toBeGreaterThanOrEqual(3);
      expect(logs).toContainEqual(
        expect.objectContaining({
          level: 'WARN',
          message:
            'The CloudFormation call goes ahead without pacing: ' +
            'haven-call-pace answered too slowly: every turn was over ' +
            'before its ticket came back',
        })
      );
    });

    it('goes ahead unpaced rather than busy when slow answers filled the line', async () => {
      // Arrange: the answers take a second, and the line is far ahead.
      const time = fakeClock(10_100);
      const logs = captureLogs();
      lastTicket.ms = 1_000;
      dynamodb
        .on(UpdateItemCommand, { ConditionExpression: undefined })
        .callsFake(() => {
          time.advance(1_000);
          return { Attributes: { nextTurn: { N: '200' } } };
        })
        .on(UpdateItemCommand, {
          ConditionExpression: emptyLine,
        })
        .rejects(taken());

      // Act
      await takeTurn(pace);

      // Assess
      expect(logs).toContainEqual(
        expect.objectContaining({
          level: 'WARN',
          message:
            'The CloudFormation call goes ahead without pacing: ' +
            'haven-call-pace answers too slowly to pace the calls',
        })
      );
    });

    it('lets the call go ahead unpaced when the table cannot be reached', async () => {
      // Arrange
      const time = fakeClock(10_100);
      const logs = captureLogs();
      dynamodb
        .on(UpdateItemCommand)
        .rejects(awsError('AccessDeniedException', 'not authorized'));

      // Act
      await takeTurn(pace);

      // Assess
      expect(time.slept).toEqual([]);
      expect(logs).toContainEqual(
        expect.objectContaining({
          level: 'WARN',
          message:
            'The CloudFormation call goes ahead without pacing: no turn ' +
            'could be had from haven-call-pace',
        })
      );
    });
  });

  describe('wiring', () => {
    const template = readTemplate(join(repoRoot, 'template.yaml'));
    const resources = template.Resources as Record<
      string,
      {
        Properties?: {
          Role?: { 'Fn::GetAtt'?: [string, string] };
          Environment?: { Variables?: Record<string, unknown> };
          Policies?: {
            PolicyDocument: {
              Statement: { Action: string | string[]; Resource: unknown }[];
            };
          }[];
        };
      }
    >;
    const functionsFolder = join(repoRoot, 'functions');
    const callers = samFunctions({ resources: {} }).filter((fn) => {
      const folder = join(
        functionsFolder,
        fn.entryPoint.split('/').at(-2) ?? ''
      );
      const source = readdirSync(folder)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => readFileSync(join(folder, f), 'utf8'))
        .join('\n');

      return source.includes('new CloudFormationClient(');
    });

    it('finds the functions that call CloudFormation', () => {
      // Assess
      expect(callers.map((fn) => fn.logicalId).sort()).toEqual([
        'CheckStackFunction',
        'DeleteStackFunction',
        'GetEnvironmentFunction',
        'NotifyFunction',
        'StartStackFunction',
      ]);
    });

    it.each(callers.map((fn) => [fn.logicalId, fn]))(
      'paces every CloudFormation client of %s',
      (_id, fn) => {
        // Arrange
        const source = readFileSync(fn.entryPoint, 'utf8');

        // Assess
        expect(source).not.toMatch(/=\s*traced\(new CloudFormationClient/);
        expect(source).toMatch(/paced\(\s*traced\(new CloudFormationClient/);
      }
    );

    it.each(callers.map((fn) => [fn.logicalId]))(
      'gives %s the table, the rate and the right to take turns',
      (id) => {
        // Arrange
        const properties = resources[id]?.Properties;
        const role = properties?.Role?.['Fn::GetAtt']?.[0] ?? '';
        const statements = (
          resources[role]?.Properties?.Policies ?? []
        ).flatMap((p) => p.PolicyDocument.Statement);

        // Assess
        expect(properties?.Environment?.Variables).toMatchObject({
          CALL_PACE_TABLE: { Ref: 'CallPaceTable' },
          CLOUDFORMATION_CALLS_PER_SECOND: {
            Ref: 'CloudFormationCallsPerSecond',
          },
        });
        expect(statements).toContainEqual(
          expect.objectContaining({
            Action: 'dynamodb:UpdateItem',
            Resource: { 'Fn::GetAtt': ['CallPaceTable', 'Arn'] },
          })
        );
      }
    );
  });
});
