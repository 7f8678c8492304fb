import { join } from 'node:path';
import { readTemplate } from './cfn-yaml';
import { localAwsSettings, repoRoot } from './emulator';

/** One Lambda function of template.yaml, as a local run needs it. */
export interface LocalFunction {
  logicalId: string;
  /** The TypeScript file esbuild bundles for this function. */
  entryPoint: string;
  /** The environment variables template.yaml gives the function. */
  environment: Record<string, string>;
}

type Node = unknown;

/** Values CloudFormation would supply that a local run decides itself. */
export interface LocalValues {
  /** `Fn::GetAtt` and `Ref` of the application's own resources. */
  resources: Record<string, string>;
  /** Parameter values; the template's defaults fill in the rest. */
  parameters?: Record<string, string>;
}

const pseudoParameters: Record<string, string> = {
  'AWS::Region': localAwsSettings.AWS_REGION,
  'AWS::AccountId': '123456789012',
  'AWS::Partition': 'aws',
  'AWS::StackName': 'haven',
  'AWS::URLSuffix': 'amazonaws.com',
};

type Resource = { Type?: string; Properties?: Record<string, Node> };

/**
 * What `Ref` of a resource whose name the template sets itself returns in
 * AWS: a table's name, a state machine's ARN. Derived from the template,
 * so a local run uses the very names the deployed stack has.
 */
function resourceValue(
  resource: Resource | undefined,
  resolve: (node: Node) => string
): string | undefined {
  const properties = resource?.Properties ?? {};
  if (resource?.Type === 'AWS::DynamoDB::Table' && properties.TableName) {
    return resolve(properties.TableName);
  }
  if (resource?.Type === 'AWS::Serverless::StateMachine' && properties.Name) {
    const { 'AWS::Region': region, 'AWS::AccountId': account } =
      pseudoParameters;

    return (
      `arn:aws:states:${region}:${account}:stateMachine:` +
      resolve(properties.Name)
    );
  }

  return undefined;
}

function resolver(template: Record<string, Node>, values: LocalValues) {
  const parameters = (template.Parameters ?? {}) as Record<
    string,
    { Default?: unknown }
  >;
  const resources = (template.Resources ?? {}) as Record<string, Resource>;
  const lookup = (name: string): string => {
    if (name in pseudoParameters) return pseudoParameters[name] as string;
    if (values.parameters && name in values.parameters) {
      return values.parameters[name] as string;
    }
    if (name in parameters) return String(parameters[name]?.Default ?? '');
    const attribute = name.endsWith('.Arn') ? name.slice(0, -4) : name;

    return (
      values.resources[name] ??
      values.resources[attribute] ??
      resourceValue(resources[name], resolve) ??
      ''
    );
  };

  const resolve = (node: Node): string => {
    if (typeof node === 'string' || typeof node === 'number') {
      return String(node);
    }
    if (typeof node !== 'object' || node === null) return '';
    const [key, argument] = Object.entries(node)[0] ?? [];
    switch (key) {
      case 'Ref':
        return lookup(String(argument));
      case 'Fn::GetAtt':
        return lookup(String((argument as string[])[0]));
      case 'Fn::Sub': {
        const text = Array.isArray(argument) ? argument[0] : argument;

        return String(text).replace(/\$\{([^}]+)\}/g, (_, name: string) =>
          lookup(name)
        );
      }
      case 'Fn::Join': {
        const [separator, items] = argument as [string, Node[]];

        return items.map(resolve).join(separator);
      }
      default:
        return '';
    }
  };

  return resolve;
}

/**
 * Reads the functions of template.yaml, with the environment each one gets
 * in AWS: the Globals first, then its own variables, intrinsic functions
 * resolved to parameter defaults and to the local values given.
 */
export function samFunctions(values: LocalValues): LocalFunction[] {
  const template = readTemplate(join(repoRoot, 'template.yaml'));
  const resolve = resolver(template, values);
  const globals = (template.Globals as Record<string, Node> | undefined)
    ?.Function as {
    CodeUri?: string;
    Environment?: { Variables?: Record<string, Node> };
  };
  const resources = template.Resources as Record<string, Node>;

  return Object.entries(resources)
    .filter(
      ([, resource]) =>
        (resource as { Type?: string }).Type === 'AWS::Serverless::Function'
    )
    .map(([logicalId, resource]) => {
      const { Properties = {}, Metadata = {} } = resource as {
        Properties?: {
          CodeUri?: string;
          Environment?: { Variables?: Record<string, Node> };
        };
        Metadata?: { BuildProperties?: { EntryPoints?: string[] } };
      };
      const variables = {
        ...globals?.Environment?.Variables,
        ...Properties.Environment?.Variables,
      };
      const entryPoint = Metadata.BuildProperties?.EntryPoints?.[0] ?? '';

      return {
        logicalId,
        entryPoint: join(
          repoRoot,
          Properties.CodeUri ?? globals?.CodeUri ?? '.',
          entryPoint
        ),
        environment: Object.fromEntries(
          Object.entries(variables).map(([name, value]) => [
            name,
            resolve(value),
          ])
        ),
      };
    });
}

/**
 * Resolves one value of template.yaml (a property, an intrinsic function)
 * as a local run does: parameters to their defaults, pseudo parameters to
 * the local account, resources to the values given or to the names the
 * template gives them.
 */
export function resolveInTemplate(node: unknown, values: LocalValues): string {
  const template = readTemplate(join(repoRoot, 'template.yaml'));

  return resolver(template, values)(node);
}

/** The DefinitionSubstitutions of the state machine, keyed by name. */
export function definitionSubstitutions(
  stateMachineId: string
): Record<string, string> {
  const template = readTemplate(join(repoRoot, 'template.yaml'));
  const resources = template.Resources as Record<string, Node>;
  const machine = resources[stateMachineId] as {
    Properties?: { DefinitionSubstitutions?: Record<string, Node> };
  };
  const substitutions = machine?.Properties?.DefinitionSubstitutions ?? {};

  return Object.fromEntries(
    Object.entries(substitutions).map(([name, value]) => {
      const target = (value as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt'];

      return [name, target?.[0] ?? ''];
    })
  );
}
