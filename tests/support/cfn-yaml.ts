import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTemplate as parseCloudFormation } from '../../local/cfn-yaml';
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

/** Reads a CloudFormation YAML template, short function tags included. */
export function parseTemplate(body: string): CfnTemplate {
  return parseCloudFormation(body) as unknown as CfnTemplate;
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
