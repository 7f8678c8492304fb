import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { WorkflowState } from '../functions/shared/workflow';
import {
  eksStandIns,
  prepareNamedCluster,
  renderedDir,
  renderedFiles,
} from './eks-stand-ins';
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
 *
 * A request with `eks` runs its EKS steps only on a cluster it names
 * (`eks.cluster`): the cluster is made on the emulator through the EKS API,
 * and helm and kubectl are stand-ins (local/eks-stand-ins.ts), since the
 * emulator has no Kubernetes API.
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

interface EksSetting {
  cluster?: { name: string; nodeSecurityGroupId: string };
}

/**
 * Readies the emulator for a request's EKS steps and returns the request to
 * run (its node security group possibly replaced) with the variables for
 * the Helm function, or undefined when they cannot run locally.
 */
async function prepareEks(
  request: Record<string, unknown>
): Promise<
  { request: unknown; environment: Record<string, string> } | undefined
> {
  const eks = request.eks as EksSetting | undefined;
  if (!eks) return { request, environment: {} };
  if (!eks.cluster) {
    say(
      'The emulator cannot build an EKS cluster through CloudFormation: ' +
        'name an existing cluster (eks.cluster) to run the EKS steps locally.'
    );

    return undefined;
  }

  const cluster = await prepareNamedCluster(eks.cluster);
  say(
    `EKS on the emulator: cluster ${cluster.name} made through the EKS API; ` +
      'Helm releases rendered with the real helm into .haven/rendered, ' +
      'not installed (the emulator has no Kubernetes API).'
  );
  if (!cluster.created) say(`  (cluster ${cluster.name} already existed)`);
  if (cluster.replacedGroupId) {
    say(
      `  Node security group ${cluster.replacedGroupId} does not exist on ` +
        `the emulator; ${cluster.nodeSecurityGroupId}, made there, stands ` +
        'in for it in this run.'
    );
  }
  say();

  return {
    request: {
      ...request,
      eks: {
        ...eks,
        cluster: {
          ...eks.cluster,
          nodeSecurityGroupId: cluster.nodeSecurityGroupId,
        },
      },
    },
    environment: eksStandIns(),
  };
}

function printRendered() {
  const files = renderedFiles();
  if (files.length === 0) return;
  say('\nRendered, not installed:');
  for (const file of files) {
    say(`  ${relative(process.cwd(), join(renderedDir, file))}`);
  }
  say(
    'The EKS lines of the email are what a team would run on a real ' +
      'cluster; on the emulator nothing answers them.'
  );
}

async function provisionOnly(
  request: Record<string, unknown>,
  executionName: string,
  logFile: string
): Promise<boolean> {
  const prepared = await prepareEks(request);
  if (!prepared) return false;
  const started = Date.now();
  const { execution, emails } = await provisionLocally({
    request: prepared.request,
    environment: prepared.environment,
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
  if (request.eks) printRendered();

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
