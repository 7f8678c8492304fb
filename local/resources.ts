import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { parse } from 'yaml';
import { readTemplate } from './cfn-yaml';
import { repoRoot } from './emulator';
import { localResources } from './provision';
import { resolveInTemplate } from './sam-functions';

type Resource = { Type?: string; Properties?: Record<string, unknown> };

// A function, not a constant: local/provision.ts imports this module too.
const values = () => ({ resources: localResources });

function templateResources(type: string): [string, Resource][] {
  const template = readTemplate(join(repoRoot, 'template.yaml'));

  return Object.entries(template.Resources as Record<string, Resource>).filter(
    ([, resource]) => resource.Type === type
  );
}

function isAlreadyThere(error: unknown): boolean {
  const { name } = error as Error;

  return (
    name === 'ResourceInUseException' || name === 'StateMachineAlreadyExists'
  );
}

/**
 * Creates every DynamoDB table of template.yaml in the emulator from the
 * template's own definition (keys, attributes, indexes, billing), so the
 * local table is the deployed one. A table already there is kept.
 */
export async function ensureTables(): Promise<string[]> {
  const dynamodb = new DynamoDBClient({});
  const created: string[] = [];
  for (const [logicalId, { Properties = {} }] of templateResources(
    'AWS::DynamoDB::Table'
  )) {
    const input = {
      TableName: resolveInTemplate({ Ref: logicalId }, values()),
      KeySchema: Properties.KeySchema,
      AttributeDefinitions: Properties.AttributeDefinitions,
      GlobalSecondaryIndexes: Properties.GlobalSecondaryIndexes,
      BillingMode: Properties.BillingMode,
    } as CreateTableCommandInput;
    try {
      await dynamodb.send(new CreateTableCommand(input));
      created.push(input.TableName as string);
    } catch (error) {
      if (!isAlreadyThere(error)) throw error;
    }
  }

  return created;
}

/** The local file of a state machine's definition, by its logical id. */
export function definitionPathOf(stateMachineId: string): string {
  const [, machine] =
    templateResources('AWS::Serverless::StateMachine').find(
      ([logicalId]) => logicalId === stateMachineId
    ) ?? [];
  const uri = machine?.Properties?.DefinitionUri;
  if (typeof uri !== 'string') {
    throw new Error(`template.yaml has no state machine ${stateMachineId}`);
  }

  return join(repoRoot, uri);
}

/**
 * Creates every state machine of template.yaml in the emulator under the
 * name and ARN the template gives it, so the API functions start and stop
 * executions there as they do in AWS. The emulator only records the
 * executions: local/api.ts runs them with the interpreter.
 */
export async function ensureStateMachines(): Promise<Record<string, string>> {
  const sfn = new SFNClient({});
  const arns: Record<string, string> = {};
  for (const [logicalId, { Properties = {} }] of templateResources(
    'AWS::Serverless::StateMachine'
  )) {
    const definition = parse(
      readFileSync(definitionPathOf(logicalId), 'utf8')
    ) as unknown;
    arns[logicalId] = resolveInTemplate({ Ref: logicalId }, values());
    try {
      await sfn.send(
        new CreateStateMachineCommand({
          name: resolveInTemplate(Properties.Name, values()),
          definition: JSON.stringify(definition),
          roleArn: `arn:aws:iam::123456789012:role/haven-${logicalId}Role`,
        })
      );
    } catch (error) {
      if (!isAlreadyThere(error)) throw error;
    }
  }

  return arns;
}
