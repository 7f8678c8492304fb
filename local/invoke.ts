import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  attachEmulator,
  type Emulator,
  localAwsSettings,
  startEmulator,
} from './emulator';
import { localResources, provisionLocally } from './provision';
import { ensureStateMachines, ensureTables } from './resources';
import { samFunctions } from './sam-functions';
import { terminal } from './workflow';

/**
 * `npm run invoke -- <LogicalId> --event events/<file>.json
 * [--provision-demo]`: what `sam local invoke` does, without Docker. The
 * function's handler runs in this process with the environment variables
 * template.yaml gives it, against the emulator at AWS_ENDPOINT_URL or a
 * new one, and its result (or its error, as Lambda reports it) is printed.
 * With --provision-demo the demo environment of events/ is provisioned
 * first, so events that name its stacks and database find them.
 */

const usage =
  'usage: npm run invoke -- <LogicalId> --event <file.json> [--provision-demo]';

function parseArguments(args: string[]) {
  const logicalId = args.find((arg) => !arg.startsWith('--'));
  const eventIndex = args.indexOf('--event');
  const eventPath = eventIndex >= 0 ? args[eventIndex + 1] : undefined;
  if (!logicalId || !eventPath) throw new Error(usage);

  return {
    logicalId,
    eventPath: resolve(eventPath),
    provisionDemo: args.includes('--provision-demo'),
  };
}

async function emulatorFor(): Promise<Emulator> {
  Object.assign(process.env, localAwsSettings);
  if (process.env.AWS_ENDPOINT_URL) {
    return attachEmulator(process.env.AWS_ENDPOINT_URL);
  }
  const emulator = await startEmulator();
  process.env.AWS_ENDPOINT_URL = emulator.endpoint;

  return emulator;
}

async function main() {
  const { logicalId, eventPath, provisionDemo } = parseArguments(
    process.argv.slice(2)
  );
  const functions = samFunctions({
    resources: localResources,
  });
  const fn = functions.find((candidate) => candidate.logicalId === logicalId);
  if (!fn) {
    const known = functions.map((candidate) => candidate.logicalId);
    throw new Error(`no function ${logicalId}; known: ${known.join(', ')}`);
  }
  const event = JSON.parse(readFileSync(eventPath, 'utf8')) as unknown;

  const emulator = await emulatorFor();
  try {
    // The API functions read the table and start the state machines of
    // template.yaml; the emulator gets them as the stack would create them.
    await ensureTables();
    await ensureStateMachines();
    if (provisionDemo) {
      const request = JSON.parse(
        readFileSync(resolve('events', 'provision-request.json'), 'utf8')
      ) as unknown;
      const { execution } = await provisionLocally({
        request,
        logSink: () => undefined,
      });
      terminal.err(`demo environment provisioned: ${execution.status}\n`);
    }

    // Applied after the demo run, which sets every function's variables.
    Object.assign(process.env, fn.environment);
    const module = (await import(fn.entryPoint)) as {
      handler: (event: unknown) => Promise<unknown>;
    };
    try {
      const result = await module.handler(event);
      terminal.out(`${JSON.stringify(result, null, 2)}\n`);
    } catch (error) {
      const { name, message } = error as Error;
      const report = { errorType: name, errorMessage: message };
      terminal.out(`${JSON.stringify(report, null, 2)}\n`);
      process.exitCode = 1;
    }
  } finally {
    await emulator.stop();
  }
}

main().catch((error: Error) => {
  terminal.err(`haven: ${error.message}\n`);
  process.exitCode = 2;
});
