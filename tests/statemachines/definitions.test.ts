import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readTemplate } from '../../local/cfn-yaml';
import { repoRoot } from '../../local/emulator';
import { definitionSubstitutions } from '../../local/sam-functions';

// asl-validator ships CommonJS without types.
const validateAsl = require('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errors: unknown[];
};

type State = {
  Type: string;
  Retry?: unknown[];
  Catch?: unknown[];
  TimeoutSeconds?: number;
  ItemProcessor?: { States: Record<string, State> };
  Branches?: { States: Record<string, State> }[];
};

const folder = join(repoRoot, 'statemachines');
const files = readdirSync(folder).filter((f) => f.endsWith('.asl.yaml'));

function load(file: string) {
  const text = readFileSync(join(folder, file), 'utf8');
  const placeholders = [...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
  const definition = parse(
    text.replace(
      /\$\{(\w+)\}/g,
      'arn:aws:lambda:us-east-1:123456789012:function:$1'
    )
  ) as {
    Comment?: string;
    TimeoutSeconds?: number;
    States: Record<string, State>;
  };

  return { definition, placeholders: new Set(placeholders) };
}

/** The logical id of the state machine template.yaml defines from a file. */
function machineOf(file: string): string | undefined {
  const template = readTemplate(join(repoRoot, 'template.yaml'));
  const resources = template.Resources as Record<
    string,
    { Type?: string; Properties?: { DefinitionUri?: string } }
  >;

  return Object.entries(resources).find(
    ([, resource]) =>
      resource.Type === 'AWS::Serverless::StateMachine' &&
      resource.Properties?.DefinitionUri === `statemachines/${file}`
  )?.[0];
}

function everyState(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...everyState(state.ItemProcessor?.States ?? {}),
    ...(state.Branches ?? []).flatMap((b) => everyState(b.States)),
  ]);
}

describe.each(files)('state machine %s', (file) => {
  const { definition, placeholders } = load(file);
  const states = everyState(definition.States);

  it('is valid Amazon States Language', () => {
    // The validator changes what it is given: hand it a copy.
    const result = validateAsl(structuredClone(definition));

    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('has a top-level Comment and TimeoutSeconds', () => {
    expect(definition.Comment?.length).toBeGreaterThan(40);
    expect(definition.TimeoutSeconds).toBeGreaterThan(0);
  });

  it.each(states.filter(([, state]) => state.Type === 'Task'))(
    'gives Task "%s" a timeout, a Retry and a Catch',
    (_name, state) => {
      expect(state.TimeoutSeconds).toBeGreaterThan(0);
      expect(state.Retry?.length).toBeGreaterThan(0);
      expect(state.Catch?.length).toBeGreaterThan(0);
    }
  );

  it('names states as sentences a runbook would use', () => {
    for (const [name] of states) {
      expect(name).toMatch(/^[A-Z][a-z']*( [A-Za-z'-]+)+\??$/);
    }
  });

  it('retries only errors that haven or the AWS services raise', () => {
    const functions = join(repoRoot, 'functions');
    const source = readdirSync(functions, { recursive: true })
      .map(String)
      .filter((file) => file.endsWith('.ts'))
      .map((file) => readFileSync(join(functions, file), 'utf8'))
      .join('\n');
    const havenErrors = new Set(
      [...source.matchAll(/this\.name = '(\w+)'/g)].map((m) => m[1])
    );
    const awsErrors = new Set([
      'Throttling',
      'ThrottlingException',
      'TooManyRequestsException',
      'ServiceUnavailable',
      'InternalFailure',
      'InternalErrorException',
      'RequestLimitExceeded',
      'SlowDown',
    ]);
    const matched = states.flatMap(([, state]) =>
      ((state.Retry ?? []) as { ErrorEquals: string[] }[]).flatMap(
        (retrier) => retrier.ErrorEquals
      )
    );

    for (const error of matched) {
      if (/^(States|Lambda|Sandbox)\./.test(error)) continue;
      expect([...havenErrors, ...awsErrors]).toContain(error);
    }
  });

  it('tries again every step whose function waits for CloudFormation turns', () => {
    const template = readTemplate(join(repoRoot, 'template.yaml'));
    const resources = template.Resources as Record<
      string,
      { Properties?: { Environment?: { Variables?: object } } }
    >;
    const pacing = (id: string) =>
      'CALL_PACE_TABLE' in
      (resources[id]?.Properties?.Environment?.Variables ?? {});
    const substitutions = definitionSubstitutions(machineOf(file) ?? '');
    const paced = states.filter(([, state]) => {
      const ref = (state as { Resource?: string }).Resource?.match(
        /function:(\w+)$/
      )?.[1];

      return state.Type === 'Task' && pacing(substitutions[ref ?? ''] ?? '');
    });

    expect(paced.length).toBeGreaterThan(0);
    for (const [, state] of paced) {
      const retried = (
        (state.Retry ?? []) as { ErrorEquals: string[] }[]
      ).flatMap((retrier) => retrier.ErrorEquals);
      expect(retried).toContain('CloudFormationBusyError');
    }
  });

  it('is the definition of a state machine of template.yaml', () => {
    expect(machineOf(file)).toBeDefined();
  });

  it('uses only substitutions its state machine defines', () => {
    const defined = new Set(
      Object.keys(definitionSubstitutions(machineOf(file) ?? ''))
    );

    for (const name of placeholders) expect(defined).toContain(name);
  });
});
