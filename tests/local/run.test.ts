import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../local/emulator';

const run = promisify(execFile);
const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
// Without an endpoint, the run starts an emulator of its own.
const noEndpoint = { ...process.env, AWS_ENDPOINT_URL: '' };

describe('npm run local -- --teardown', () => {
  let stdout: string;

  beforeAll(async () => {
    // execFile rejects when the run exits non-zero, failing every test.
    ({ stdout } = await run(tsx, ['local/run.ts', '--teardown'], {
      cwd: repoRoot,
      env: noEndpoint,
    }));
  }, 120_000);

  it('creates, reads, deletes and reads the environment through the API', () => {
    const calls = stdout.match(/^(POST|GET|DELETE) \S+\n {2}\d{3}$/gm);

    expect(calls).toEqual([
      'POST /environments\n  202',
      'GET /environments/demo\n  200',
      'DELETE /environments/demo\n  202',
      'GET /environments/demo\n  200',
    ]);
  });

  it('signs as a session of the demo team role', () => {
    expect(stdout).toContain(
      'Signed as arn:aws:sts::123456789012:assumed-role/app-team/haven-local'
    );
  });

  it('prints the progress of both workflows', () => {
    expect(stdout).toMatch(/s {2}Create the network stack\n/);
    expect(stdout).toContain('The provisioning succeeded');
    expect(stdout).toMatch(/s {2}Email the requester the teardown outcome\n/);
    expect(stdout).toContain('The teardown succeeded');
  });

  it('shows the environment ready, then deleted', () => {
    expect(stdout).toMatch(/phase {21}ready\n/);
    expect(stdout).toMatch(/stack {21}haven-demo-compute CREATE_COMPLETE\n/);
    expect(stdout).toMatch(/outputs\.appUrl {12}http:\/\/demo-alb/);
    expect(stdout).toMatch(/phase {21}deleted\n/);
  });

  it('reports nothing of the environment left in the emulator', () => {
    expect(stdout).toContain('What the emulator holds of demo:\n  nothing\n');
  });

  it('prints the ready and the deleted email', () => {
    const subjects = stdout.match(/Subject: .*/g);

    expect(subjects).toEqual([
      'Subject: haven: environment demo is ready',
      'Subject: haven: environment demo is deleted',
    ]);
  });

  it('exits 1 naming the field when the API refuses the request', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'haven-')), 'bad.json');
    writeFileSync(file, JSON.stringify({ name: 'Bad_Name' }));
    const failure = (await run(tsx, ['local/run.ts', '--teardown', file], {
      cwd: repoRoot,
      env: noEndpoint,
    }).catch((error: unknown) => error)) as { code?: number; stdout?: string };

    expect(failure.code).toBe(1);
    expect(failure.stdout).toContain('POST /environments\n  400');
    expect(failure.stdout).toMatch(/ {4}name: must be 3 to 20/);
  });
});
