import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../local/emulator';
import { loadTemplate } from '../support/cfn-yaml';

/**
 * checkov's static security checks over haven's SAM application and every
 * tier template. A check that does not fit is skipped in the template
 * itself, on the resource, with the reason next to it: never on the
 * command line, so the reason is read where the resource is.
 */

const checkov = join(repoRoot, '.venv-checkov', 'bin', 'checkov');

const templates = [
  'template.yaml',
  ...readdirSync(join(repoRoot, 'templates'))
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => `templates/${file}`),
];

interface Report {
  results: {
    failed_checks: {
      check_id: string;
      resource: string;
      file_path: string;
    }[];
  };
  summary: {
    passed: number;
    failed: number;
    skipped: number;
    parsing_errors: number;
    resource_count: number;
  };
}

interface Skip {
  id?: unknown;
  comment?: unknown;
}

/** Every checkov skip written in a template's resources, by resource. */
function skipsOf(file: string): [string, Skip][] {
  return Object.entries(loadTemplate(file).Resources).flatMap(
    ([id, resource]) => {
      const metadata = resource.Metadata as
        | { checkov?: { skip?: Skip[] } }
        | undefined;

      return (metadata?.checkov?.skip ?? []).map(
        (skip) => [`${file} ${id}`, skip] as [string, Skip]
      );
    }
  );
}

const skips = templates.flatMap(skipsOf);

describe('checkov', () => {
  let result: SpawnSyncReturns<string>;
  let report: Report;

  // One run over every template: checkov loads its checks once.
  beforeAll(() => {
    result = spawnSync(
      checkov,
      [
        ...templates.flatMap((file) => ['--file', file]),
        '--framework',
        'cloudformation',
        '--compact',
        '--quiet',
        // Checks only what it ships: no call to its vendor's platform for
        // guidelines, so it runs offline and the same on every machine.
        '--skip-download',
        '--output',
        'json',
      ],
      { cwd: repoRoot, encoding: 'utf8', timeout: 50_000 }
    );
    report = JSON.parse(result.stdout || '{}') as Report;
  });

  it('runs to the end and reads every resource', () => {
    const resources = templates
      .map((file) => Object.keys(loadTemplate(file).Resources).length)
      .reduce((sum, count) => sum + count, 0);

    expect(result.error).toBeUndefined();
    expect(result.stderr).toBe('');
    expect(report.summary).toMatchObject({
      parsing_errors: 0,
      resource_count: resources,
    });
  });

  it('finds no failed check', () => {
    const failed = report.results.failed_checks.map(
      (check) => `${check.file_path} ${check.resource} ${check.check_id}`
    );

    expect({ failed, code: result.status }).toEqual({ failed: [], code: 0 });
  });

  it('skips each check only with the reason beside it', () => {
    const unexplained = skips
      .filter(
        ([, skip]) =>
          typeof skip.id !== 'string' ||
          !/^CKV2?_AWS_\d+$/.test(skip.id) ||
          typeof skip.comment !== 'string' ||
          skip.comment.trim().length < 40
      )
      .map(([where, skip]) => `${where} ${String(skip.id)}`);

    expect(unexplained).toEqual([]);
  });

  // A skip of a check that never runs on its resource (a wrong id, or a
  // check since retired) would be counted nowhere.
  it('uses every skip it carries', () => {
    expect(report.summary.skipped).toBe(skips.length);
  });
});
