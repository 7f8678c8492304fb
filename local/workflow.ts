import { readFileSync } from 'node:fs';
import {
  ExecutionError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { parse } from 'yaml';
import { localAwsSettings } from './emulator';
import {
  definitionSubstitutions,
  type LocalFunction,
  type LocalValues,
  samFunctions,
} from './sam-functions';

type Handler = (event: unknown) => Promise<unknown>;

/** One event of an execution, as the interpreter reports it. */
export type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E>
    ? E
    : never;

/** Writes to the terminal even while a handler's output is redirected. */
export const terminal = {
  out: process.stdout.write.bind(process.stdout),
  err: process.stderr.write.bind(process.stderr),
};

/** How one local execution went. */
export interface LocalExecution {
  executionArn: string;
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  cause?: string;
  events: EventLog[];
}

export interface LocalRunOptions {
  /** The ASL file, as template.yaml's DefinitionUri names it. */
  definitionPath: string;
  /** The state machine's logical id in template.yaml. */
  stateMachineId: string;
  input: unknown;
  executionName: string;
  /**
   * The execution's ARN, when a StartExecution on the emulator already
   * gave it one (local/api.ts); otherwise made from the machine's id.
   */
  executionArn?: string;
  values: LocalValues;
  /** Variables that differ locally only because of where files are. */
  environmentOverrides?: Record<string, string>;
  /** How long Wait states and retries pause locally, in milliseconds. */
  pauseMs?: number;
  /** Called for every event of the execution as it happens. */
  onEvent?: (event: EventLog) => void;
  /** Called with each Task's state name and the event its handler gets. */
  onInvoke?: (state: string, event: unknown) => void;
  /** Receives what the handlers log, instead of standard output. */
  logSink?: (text: string) => void;
  /**
   * Lambda's timeout, shortened for local runs: a handler still running
   * after it fails the Task with Sandbox.Timedout, as Lambda reports it.
   * Left out, handlers run as long as they take.
   */
  timeoutMs?: number;
}

const account = '123456789012';
const region = localAwsSettings.AWS_REGION;

function functionArn(logicalId: string): string {
  return `arn:aws:lambda:${region}:${account}:function:haven-${logicalId}`;
}

type StateNode = {
  Type?: string;
  Resource?: string;
  Retry?: unknown[];
  ItemProcessor?: { States: Record<string, StateNode> };
  Iterator?: { States: Record<string, StateNode> };
  Branches?: { States: Record<string, StateNode> }[];
};

/** Every state, those inside Map and Parallel states included. */
function allStates(states: Record<string, StateNode>): [string, StateNode][] {
  return Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, StateNode],
    ...allStates(state.ItemProcessor?.States ?? state.Iterator?.States ?? {}),
    ...(state.Branches ?? []).flatMap((branch) => allStates(branch.States)),
  ]);
}

/** Rejects as Lambda reports a function that ran past its timeout. */
function timedOut(timeoutMs: number): Promise<never> {
  return new Promise((_, reject) => {
    const seconds = (timeoutMs / 1000).toFixed(2);
    const error = new Error(`Task timed out after ${seconds} seconds`);
    error.name = 'Sandbox.Timedout';
    setTimeout(() => reject(error), timeoutMs).unref();
  });
}

/**
 * Handlers log to standard output and error, as in Lambda. With a sink, a
 * handler's lines go there instead; whoever prints progress meanwhile must
 * hold on to the streams' own write functions (see `terminal`).
 *
 * Lambda reports a thrown error to Step Functions as its name (the Error)
 * and a JSON document with its message (the Cause). The local handlers do
 * the same, so the failure path reads identical errors locally and in AWS.
 */
function asLambda(
  handler: Handler,
  logSink?: (text: string) => void,
  onInvoke?: (event: unknown) => void,
  timeoutMs?: number
) {
  return async (input: unknown) => {
    onInvoke?.(input);
    const streams = [process.stdout, process.stderr];
    const writes = streams.map((stream) => stream.write);
    if (logSink) {
      for (const stream of streams) {
        stream.write = ((chunk: string | Uint8Array) => {
          logSink(chunk.toString());

          return true;
        }) as typeof stream.write;
      }
    }
    try {
      const running = handler(input);
      if (timeoutMs === undefined) return (await running) as never;
      // Lambda freezes a timed-out invocation; here it runs on unheard.
      running.catch(() => undefined);

      return (await Promise.race([running, timedOut(timeoutMs)])) as never;
    } catch (error) {
      const { name = 'Error', message = String(error) } = error as Error;
      const lambdaError = new Error(
        JSON.stringify({ errorType: name, errorMessage: message })
      );
      lambdaError.name = name;
      throw lambdaError;
    } finally {
      streams.forEach((stream, index) => {
        stream.write = writes[index] as typeof stream.write;
      });
    }
  };
}

/** Gives the process the environment template.yaml gives the functions. */
function applyEnvironment(functions: LocalFunction[]) {
  const merged: Record<string, string> = {};
  for (const fn of functions) {
    for (const [name, value] of Object.entries(fn.environment)) {
      if (name in merged && merged[name] !== value) {
        throw new Error(
          `${fn.logicalId} sets ${name} to another value than another ` +
            'function does; the local run shares one process environment.'
        );
      }
      merged[name] = value;
    }
  }
  Object.assign(process.env, merged);
}

/**
 * Runs a state machine file with the real handlers in this process, the
 * way Step Functions runs it in AWS: the same definition, the same
 * substitutions and environment from template.yaml. Only pauses differ.
 */
export async function runLocally(
  options: LocalRunOptions
): Promise<LocalExecution> {
  const substitutions = definitionSubstitutions(options.stateMachineId);
  const functions = samFunctions(options.values);
  applyEnvironment(functions);
  Object.assign(process.env, options.environmentOverrides);

  const text = readFileSync(options.definitionPath, 'utf8').replace(
    /\$\{(\w+)\}/g,
    (_, name: string) => functionArn(substitutions[name] ?? name)
  );
  const definition = parse(text) as StateMachineDefinition;
  const byArn = new Map(functions.map((fn) => [functionArn(fn.logicalId), fn]));

  const taskHandlers: Record<string, (input: never) => Promise<never>> = {};
  const pauses: Record<string, number> = {};
  for (const [name, state] of allStates(
    definition.States as Record<string, StateNode>
  )) {
    if (state.Type === 'Task' && state.Resource) {
      const fn = byArn.get(state.Resource);
      if (!fn) throw new Error(`no function in template.yaml for ${name}`);
      const module = (await import(fn.entryPoint)) as { handler: Handler };
      taskHandlers[name] = asLambda(
        module.handler,
        options.logSink,
        (event) => options.onInvoke?.(name, event),
        options.timeoutMs
      );
    }
    if (state.Type === 'Wait' || state.Retry) {
      pauses[name] = options.pauseMs ?? 0;
    }
  }

  const executionArn =
    options.executionArn ??
    `arn:aws:states:${region}:${account}:execution:` +
      `haven-${options.stateMachineId}:${options.executionName}`;
  const machine = new StateMachine(definition);
  const run = machine.run(options.input as never, {
    overrides: {
      taskResourceLocalHandlers: taskHandlers as never,
      waitTimeOverrides: pauses,
      retryIntervalOverrides: pauses,
    },
    context: {
      Execution: {
        Id: executionArn,
        Name: options.executionName,
        StartTime: new Date().toISOString(),
        Input: options.input as never,
      },
    },
  });

  const events: EventLog[] = [];
  const collecting = (async () => {
    for await (const event of run.eventLogs) {
      events.push(event);
      options.onEvent?.(event);
    }
  })();

  try {
    const output = await run.result;
    await collecting;

    return { executionArn, status: 'SUCCEEDED', output, events };
  } catch (error) {
    await collecting.catch(() => undefined);
    if (!(error instanceof ExecutionError)) throw error;
    const failed = events.find((e) => e.type === 'ExecutionFailed') as
      | { Error: string; Cause: unknown }
      | undefined;

    return {
      executionArn,
      status: 'FAILED',
      error: failed?.Error ?? error.name,
      cause: String(failed?.Cause ?? error.message),
      events,
    };
  }
}
