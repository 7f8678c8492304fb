import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CollectionTag, parse, type ScalarTag } from 'yaml';
import { repoRoot } from '../../local/emulator';

/** A CloudFormation template as parsed: plain objects, long-form functions. */
export interface CfnTemplate {
  AWSTemplateFormatVersion: string;
  Description: string;
  Metadata?: Record<string, unknown>;
  Parameters: Record<string, CfnParameter>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, CfnResource>;
  Outputs: Record<string, { Description?: string; Value: unknown }>;
}

export interface CfnParameter {
  Type: string;
  Description?: string;
  Default?: string | number;
  AllowedPattern?: string;
  AllowedValues?: string[];
  ConstraintDescription?: string;
  [key: string]: unknown;
}

export interface CfnResource {
  Type: string;
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  // Properties are as varied as the resource types; tests narrow them.
  Properties: Record<string, unknown>;
  [key: string]: unknown;
}

const functionNames = [
  'Base64',
  'Cidr',
  'Equals',
  'FindInMap',
  'GetAZs',
  'If',
  'ImportValue',
  'Join',
  'Not',
  'Or',
  'And',
  'Select',
  'Split',
  'Sub',
  'Condition',
] as const;

function longName(name: string): string {
  return name === 'Condition' ? 'Condition' : `Fn::${name}`;
}

/** `!GetAtt A.B.C` names resource A and attribute B.C, as CloudFormation reads it. */
function splitGetAtt(value: string): string[] {
  const dot = value.indexOf('.');

  return [value.slice(0, dot), value.slice(dot + 1)];
}

const shortTags: (ScalarTag | CollectionTag)[] = [
  {
    tag: '!Ref',
    resolve: (value: string) => ({ Ref: value }),
  },
  {
    tag: '!GetAtt',
    resolve: (value: string) => ({ 'Fn::GetAtt': splitGetAtt(value) }),
  },
  {
    tag: '!GetAtt',
    collection: 'seq',
    resolve: (value) => ({ 'Fn::GetAtt': value.toJSON() }),
  },
  ...functionNames.flatMap((name): (ScalarTag | CollectionTag)[] => [
    {
      tag: `!${name}`,
      resolve: (value: string) => ({ [longName(name)]: value }),
    },
    {
      tag: `!${name}`,
      collection: 'seq',
      resolve: (value) => ({ [longName(name)]: value.toJSON() }),
    },
    {
      tag: `!${name}`,
      collection: 'map',
      resolve: (value) => ({ [longName(name)]: value.toJSON() }),
    },
  ]),
];

/** Reads a CloudFormation YAML template, short function tags included. */
export function parseTemplate(body: string): CfnTemplate {
  return parse(body, { customTags: shortTags }) as CfnTemplate;
}

/** The path of a template of the repository, such as `templates/data.yaml`. */
export function templatePath(relativePath: string): string {
  return join(repoRoot, relativePath);
}

/** The text of a template of the repository. */
export function templateBody(relativePath: string): string {
  return readFileSync(templatePath(relativePath), 'utf8');
}

/** A template of the repository, parsed. */
export function loadTemplate(relativePath: string): CfnTemplate {
  return parseTemplate(templateBody(relativePath));
}

/** The resources of a template of one type, by logical id. */
export function resourcesOfType(
  template: CfnTemplate,
  type: string
): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(
    ([, resource]) => resource.Type === type
  );
}
