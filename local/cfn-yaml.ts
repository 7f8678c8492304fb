import { readFileSync } from 'node:fs';
import { parse, type Tags } from 'yaml';

/**
 * CloudFormation's short forms (!Ref, !Sub, !GetAtt ...) as YAML tags, so a
 * template parses into the same tree as its long form: `!Ref X` becomes
 * `{ Ref: 'X' }` and `!GetAtt A.B` becomes `{ 'Fn::GetAtt': ['A', 'B'] }`.
 */
const functions = [
  'And',
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
  'Select',
  'Split',
  'Sub',
  'Transform',
];

function tag(name: string, key: string, kinds: ('scalar' | 'seq' | 'map')[]) {
  return kinds.map((collection) => ({
    tag: `!${name}`,
    ...(collection === 'scalar' ? {} : { collection }),
    resolve: (value: unknown) => {
      const plain =
        typeof value === 'object' && value !== null && 'toJSON' in value
          ? (value as { toJSON: () => unknown }).toJSON()
          : value;
      if (name === 'GetAtt' && typeof plain === 'string') {
        const [resource, ...attribute] = plain.split('.');

        return { [key]: [resource, attribute.join('.')] };
      }

      return { [key]: plain };
    },
  }));
}

const cloudFormationTags = [
  ...tag('Ref', 'Ref', ['scalar']),
  ...tag('Condition', 'Condition', ['scalar']),
  ...tag('GetAtt', 'Fn::GetAtt', ['scalar', 'seq']),
  ...functions.flatMap((name) =>
    tag(name, `Fn::${name}`, ['scalar', 'seq', 'map'])
  ),
] as Tags;

/** Parses a CloudFormation or SAM template written in YAML. */
export function parseTemplate(text: string): Record<string, unknown> {
  return parse(text, { customTags: cloudFormationTags }) as Record<
    string,
    unknown
  >;
}

/** Reads and parses a template file. */
export function readTemplate(path: string): Record<string, unknown> {
  return parseTemplate(readFileSync(path, 'utf8'));
}
