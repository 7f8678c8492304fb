import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { WorkflowState } from '../functions/shared/workflow';
import {
  attachEmulator,
  type Emulator,
  localAwsSettings,
  repoRoot,
  startEmulator,
} from './emulator';
import { provisionAndTearDown } from './lifecycle';
import {
  printEmails,
  printOutputs,
  progressPrinter,
  say,
  secondsSince,
} from './progress';
import { provisionLocally } from './provision';

/**
 * `npm run local [-- events/REQUEST.json]`: provisions a demo environment
 * end to end on the emulator and prints its progress, its outputs and the
 * email its team would receive.
 *
 * `npm run local -- --teardown [events/REQUEST.json]`: goes through the
 * local API instead, as a team would: creates the environment, reads its
 * status, deletes it, and checks that the emulator holds nothing of it
 * (local/lifecycle.ts). Exits non-zero if a workflow fails or anything is
 * left.
 */

const defaultRequest = join(repoRoot, 'events', 'provision-request.json');

function parseArguments(args: string[]) {
  const file = args.find((arg) => !arg.startsWith('--'));

  return {
    requestPath: resolve(file ?? defaultRequest),
    teardown: args.includes('--teardown'),
  };
}

async function emulatorForRun(): Promise<Emulator> {
  Object.assign(process.env, localAwsSettings);
  if (process.env.AWS_ENDPOINT_URL) {
    return attachEmulator(process.env.AWS_ENDPOINT_URL);
  }
  const emulator = await startEmulator();
  process.env.AWS_ENDPOINT_URL = emulator.endpoint;

  return emulator;
}

async function provisionOnly(
  request: unknown,
  executionName: string,
  logFile: string
): Promise<boolean> {
  const started = Date.now();
  const { execution, emails } = await provisionLocally({
    request,
    executionName,
    onEvent: progressPrinter(started),
    logSink: (text) => appendFileSync(logFile, text),
  });
  const seconds = secondsSince(started);

  say();
  if (execution.status === 'SUCCEEDED') {
    say(`The environment is ready (${seconds} s on the emulator).`);
    printOutputs(execution.output as WorkflowState);
  } else {
    say(`Provisioning failed after ${seconds} s: ${execution.error}`);
    say(`  ${execution.cause}`);
  }
  printEmails(emails);

  return execution.status === 'SUCCEEDED';
}

async function main() {
  const { requestPath, teardown } = parseArguments(process.argv.slice(2));
  const request = JSON.parse(readFileSync(requestPath, 'utf8')) as Record<
    string,
    unknown
  >;
  const emulator = await emulatorForRun();

  const logDir = join(repoRoot, '.haven', 'logs');
  mkdirSync(logDir, { recursive: true });
  const executionName = `local-${Date.now().toString(36)}`;
  const logFile = join(logDir, `${executionName}.jsonl`);

  const what = teardown ? 'provisioning and tearing down' : 'provisioning';
  say(
    `haven: ${what} from ${relative(process.cwd(), requestPath)} on ` +
      `the emulator at ${emulator.endpoint}`
  );
  say('Wait states and retries are shortened locally.\n');

  try {
    const ok = teardown
      ? await provisionAndTearDown({
          request,
          logSink: (text) => appendFileSync(logFile, text),
        })
      : await provisionOnly(request, executionName, logFile);
    say(`\nHandler logs: ${relative(process.cwd(), logFile)}`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await emulator.stop();
  }
}

main().catch((error: Error) => {
  console.error(`haven: the local run could not complete: ${error.message}`);
  process.exitCode = 1;
});
