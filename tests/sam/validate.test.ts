import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../local/emulator';

const sam = join(repoRoot, '.venv', 'bin', 'sam');

describe('sam validate --lint', () => {
  it('finds template.yaml valid, with no lint finding', () => {
    const result = spawnSync(
      sam,
      ['validate', '--lint', '--template-file', 'template.yaml'],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 55_000,
        env: {
          ...process.env,
          AWS_DEFAULT_REGION: 'us-east-1',
          SAM_CLI_TELEMETRY: '0',
        },
      }
    );

    expect(`${result.stdout}${result.stderr}`).toContain(
      'is a valid SAM Template'
    );
    expect(result.status).toBe(0);
  });
});
