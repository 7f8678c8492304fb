import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../local/emulator';
import { samFunctions } from '../../local/sam-functions';

const run = promisify(execFile);
const functions = samFunctions({ resources: {} });
const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
const noEndpoint = { ...process.env, AWS_ENDPOINT_URL: '' };

function eventOf(entryPoint: string): string {
  return join(repoRoot, 'events', `${basename(dirname(entryPoint))}.json`);
}

function invoke(logicalId: string, event: string) {
  return run(tsx, ['local/invoke.ts', logicalId, '--event', event], {
    cwd: repoRoot,
    env: noEndpoint,
  });
}

describe('npm run invoke', () => {
  it.each(functions.map((fn) => [fn.logicalId, fn.entryPoint]))(
    'has a real event for %s in events/',
    (_logicalId, entryPoint) => {
      expect(existsSync(eventOf(entryPoint))).toBe(true);
    }
  );

  it('runs a handler with its event and prints the result', async () => {
    const { stdout } = await invoke(
      'ValidateRequestFunction',
      'events/validate-request.json'
    );
    const printed = stdout.slice(stdout.indexOf('\n{') + 1);
    const result = JSON.parse(printed) as {
      request: { name: string; sizes: { instanceType: string } };
      stacks: { network: string };
    };

    expect(result.request.name).toBe('demo');
    expect(result.request.sizes.instanceType).toBe('t3.small');
    expect(result.stacks.network).toBe('haven-demo-network');
  });

  it('prints the error as Lambda reports it and exits non-zero', async () => {
    const failure = (await invoke(
      'CheckDatabaseFunction',
      'events/check-database.json'
    ).catch((error: unknown) => error)) as { code?: number; stdout?: string };

    expect(failure.code).toBe(1);
    expect(failure.stdout).toContain('"errorType": "DatabaseFailedError"');
  });
});
