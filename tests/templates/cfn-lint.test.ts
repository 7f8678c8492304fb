import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../local/emulator';

const cfnLint = join(repoRoot, '.venv', 'bin', 'cfn-lint');

/** The tier templates, and the SAM application once it exists. */
const templates = [
  'templates/network.yaml',
  'templates/data.yaml',
  'templates/compute.yaml',
  'template.yaml',
].filter((file) => existsSync(join(repoRoot, file)));

describe('cfn-lint', () => {
  let result: SpawnSyncReturns<string>;

  // One run over every template: each start of cfn-lint costs seconds.
  beforeAll(() => {
    result = spawnSync(cfnLint, ['--format', 'parseable', ...templates], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 50_000,
    });
  });

  it('runs to the end', () => {
    expect(result.error).toBeUndefined();
    expect(result.stderr).toBe('');
  });

  it.each(templates)('finds neither errors nor warnings in %s', (file) => {
    const findings = result.stdout
      .split('\n')
      .filter((line) => line.startsWith(`${file}:`));

    expect(findings).toEqual([]);
  });

  it('exits with 0 and prints nothing', () => {
    expect({ output: result.stdout, code: result.status }).toEqual({
      output: '',
      code: 0,
    });
  });
});
