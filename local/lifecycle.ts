import { type Caller, type LocalApi, startLocalApi } from './api';
import { environmentResources, linesOf } from './environment-resources';
import { openMailbox } from './mailbox';
import {
  printEmails,
  printRows,
  progressPrinter,
  say,
  secondsSince,
} from './progress';
import type { LocalExecution } from './workflow';

/**
 * `npm run local -- --teardown`: an environment's whole life through the
 * local API, as a team would live it. POST, the provisioning, GET, DELETE,
 * the teardown, GET again, then a look at the account itself for anything
 * of the environment the teardown left.
 */

const demoRole = 'arn:aws:iam::123456789012:role/app-team';
const rolePattern =
  /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

/**
 * The identity the local requests are signed with: a session of the team
 * role the request names as its owner (the demo team's role otherwise),
 * as a CLI user with that role assumed would sign them. API Gateway passes
 * the session ARN; haven records the role.
 */
export function localCallerOf(request: Record<string, unknown>): Caller {
  const owner = typeof request.owner === 'string' ? request.owner : '';
  const [, account, role] =
    owner.match(rolePattern) ?? demoRole.match(rolePattern) ?? [];

  return {
    userArn: `arn:aws:sts::${account}:assumed-role/${role}/haven-local`,
  };
}

export interface LifecycleOptions {
  /** A request as events/provision-request.json holds it. */
  request: Record<string, unknown>;
  /** Receives what the handlers and workflows log. */
  logSink: (text: string) => void;
}

type Route = { method: 'GET' | 'POST' | 'DELETE'; path: string };

function describeFailure(body: {
  message?: string;
  problems?: { field: string; message: string }[];
}) {
  say(`  ${body.message ?? 'no message'}`);
  for (const problem of body.problems ?? []) {
    say(`    ${problem.field}: ${problem.message}`);
  }
}

async function runWithProgress(
  api: LocalApi,
  what: string
): Promise<LocalExecution[]> {
  const started = Date.now();
  const runs = await api.runStarted({ onEvent: progressPrinter(started) });
  const failed = runs.filter((run) => run.status !== 'SUCCEEDED');
  if (runs.length === 0) say(`  No ${what} was started: nothing ran.`);
  for (const run of failed) {
    say(`  The ${what} failed: ${run.error}`);
    say(`    ${run.cause}`);
  }
  if (runs.length > 0 && failed.length === 0) {
    say(`  The ${what} succeeded (${secondsSince(started)} s).`);
  }

  return runs;
}

/** Prints what GET /environments/{name} answers, the parts a team reads. */
function printStatus(body: Record<string, unknown>) {
  const stacks = (body.stacks ?? []) as { stackName: string; status: string }[];
  const outputs = (body.outputs ?? {}) as Record<string, string>;
  const rows: [string, string | undefined][] = [
    ['phase', String(body.phase)],
    ['step', body.step as string | undefined],
  ];
  for (const { stackName, status } of stacks) {
    rows.push(['stack', `${stackName} ${status}`]);
  }
  for (const [key, value] of Object.entries(outputs)) {
    rows.push([`outputs.${key}`, value]);
  }
  printRows(rows, 26);
  const left = (body.leftBehind ?? []) as unknown[];
  if (left.length > 0) say(`  Left behind: ${JSON.stringify(left)}`);
}

/**
 * Provisions the request's environment and tears it down through the
 * local API, printing each step. Resolves true when both workflows
 * succeeded, the record ends deleted and the account holds nothing of
 * the environment; false otherwise.
 */
export async function provisionAndTearDown(
  options: LifecycleOptions
): Promise<boolean> {
  const { owner: _owner, ...body } = options.request;
  const name = String(body.name);
  const caller = localCallerOf(options.request);
  const api = await startLocalApi({ logSink: options.logSink });
  const mailbox = await openMailbox(name);
  const send = async ({ method, path }: Route, payload?: unknown) => {
    say(`\n${method} ${path}`);
    const response = await api.request({ method, path, caller, body: payload });
    say(`  ${response.statusCode}`);

    return response;
  };
  let ok = true;

  say(`Signed as ${caller.userArn}`);
  const created = await send({ method: 'POST', path: '/environments' }, body);
  if (created.statusCode !== 202 && created.statusCode !== 200) {
    describeFailure(created.body);

    return false;
  }
  say(`  Execution ${created.body.executionArn}`);
  say('\nProvisioning:');
  const provisioning = await runWithProgress(api, 'provisioning');
  ok &&= provisioning.every((run) => run.status === 'SUCCEEDED');

  const path = `/environments/${name}`;
  const ready = await send({ method: 'GET', path });
  printStatus(ready.body);

  const deleted = await send({ method: 'DELETE', path });
  if (deleted.statusCode !== 202) {
    describeFailure(deleted.body);

    return false;
  }
  say(`  Teardown ${deleted.body.teardownExecutionArn}`);
  say('\nTeardown:');
  const teardown = await runWithProgress(api, 'teardown');
  ok &&= teardown.length > 0;
  ok &&= teardown.every((run) => run.status === 'SUCCEEDED');

  const after = await send({ method: 'GET', path });
  printStatus(after.body);
  ok &&= after.body.phase === 'deleted';

  const left = linesOf(await environmentResources(name));
  say(`\nWhat the emulator holds of ${name}:`);
  say(left.length === 0 ? '  nothing' : left.map((l) => `  ${l}`).join('\n'));
  ok &&= left.length === 0;

  printEmails(await mailbox.read());

  return ok;
}
