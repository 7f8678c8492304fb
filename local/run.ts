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
import { provisionLocally } from './provision';
import { type EventLog, terminal } from './workflow';

/**
 * `npm run local [-- events/REQUEST.json]`: provisions a demo environment
 * end to end on the emulator and prints its progress, its outputs and the
 * email its team would receive.
 */

const defaultRequest = join(repoRoot, 'events', 'provision-request.json');

function say(line = '') {
  terminal.out(`${line}\n`);
}

function progressPrinter(started: number) {
  const stamp = () =>
    `${((Date.now() - started) / 1000).toFixed(1)}s`.padStart(7);

  return (event: EventLog) => {
    if (event.type === 'StateEntered' && event.state.type !== 'Choice') {
      say(`${stamp()}  ${event.state.name}`);
    }
    if (event.type === 'StateRetried') {
      say(`${stamp()}    retrying ${event.state.name}`);
    }
    if (event.type === 'StateFailed') {
      say(`${stamp()}    ${event.state.name} failed: ${event.Error}`);
    }
  };
}

function printOutputs(state: WorkflowState) {
  const compute = state.compute?.outputs ?? {};
  const data = state.data?.outputs ?? {};
  const rows: [string, string | undefined][] = [
    ['App URL', compute.AppUrl],
    ['Database', `${data.DBEndpointAddress}:${data.DBEndpointPort}`],
    ['Endpoint parameter', data.DBEndpointParameterName],
    ['Media bucket', data.StaticBucketName],
    ['Auto Scaling group', compute.AutoScalingGroupName],
    ['Alarm topic', compute.AlarmTopicArn],
    ['Stacks', Object.values(state.stacks).join(', ')],
  ];
  for (const [label, value] of rows) {
    say(`  ${label.padEnd(20)}${value ?? ''}`);
  }
}

async function main() {
  const requestPath = resolve(process.argv[2] ?? defaultRequest);
  const request = JSON.parse(readFileSync(requestPath, 'utf8')) as unknown;

  Object.assign(process.env, localAwsSettings);
  let emulator: Emulator;
  if (process.env.AWS_ENDPOINT_URL) {
    emulator = attachEmulator(process.env.AWS_ENDPOINT_URL);
  } else {
    emulator = await startEmulator();
    process.env.AWS_ENDPOINT_URL = emulator.endpoint;
  }

  const logDir = join(repoRoot, '.haven', 'logs');
  mkdirSync(logDir, { recursive: true });
  const executionName = `local-${Date.now().toString(36)}`;
  const logFile = join(logDir, `${executionName}.jsonl`);

  say(
    `haven: provisioning from ${relative(process.cwd(), requestPath)} on ` +
      `the emulator at ${emulator.endpoint}`
  );
  say('Wait states and retries are shortened locally.\n');
  const started = Date.now();

  try {
    const { execution, emails } = await provisionLocally({
      request,
      executionName,
      onEvent: progressPrinter(started),
      logSink: (text) => appendFileSync(logFile, text),
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);

    say();
    if (execution.status === 'SUCCEEDED') {
      say(`The environment is ready (${seconds} s on the emulator).`);
      printOutputs(execution.output as WorkflowState);
    } else {
      say(`Provisioning failed after ${seconds} s: ${execution.error}`);
      say(`  ${execution.cause}`);
    }

    for (const email of emails) {
      say(`\nEmail published to the environment's topic:`);
      say(`  Subject: ${email.subject}\n`);
      say(email.body.replace(/^/gm, '  '));
    }
    if (emails.length === 0) say('\nNo email was published.');
    say(`\nHandler logs: ${relative(process.cwd(), logFile)}`);
    process.exitCode = execution.status === 'SUCCEEDED' ? 0 : 1;
  } finally {
    await emulator.stop();
  }
}

main().catch((error: Error) => {
  console.error(`haven: the local run could not complete: ${error.message}`);
  process.exitCode = 1;
});
