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
  /**
   * Real milliseconds per second of AWS time. Given, a Wait lasts its own
   * Seconds or SecondsPath value scaled by it, and a retry its Retry
   * interval (with backoff, MaxDelaySeconds, and half the interval for
   * FULL jitter, its mean), so a run keeps AWS's timing on a faster clock.
   * A wait it cannot work out pauses for `pauseMs`. Left out, every pause
   * is `pauseMs`.
   */
  pauseScale?: number;
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

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}

type StateNode = {
  Type?: string;
  Resource?: string;
  Retry?: Retrier[];
  ResultPath?: string | null;
  Seconds?: number;
  SecondsPath?: string;
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
 * Handlers of runs that overlap share the process's streams, so the
 * redirection is counted: the first handler to start takes the streams
 * over, the last to end gives them back. While they overlap, every line
 * goes to the sink of the first one.
 */
const redirection = {
  depth: 0,
  writes: [] as (typeof process.stdout.write)[],
};
const redirected = () => [process.stdout, process.stderr];

function redirect(logSink: (text: string) => void) {
  redirection.depth += 1;
  if (redirection.depth > 1) return;
  redirection.writes = redirected().map((stream) => stream.write);
  for (const stream of redirected()) {
    stream.write = ((chunk: string | Uint8Array) => {
      logSink(chunk.toString());

      return true;
    }) as typeof stream.write;
  }
}

function restore() {
  redirection.depth -= 1;
  if (redirection.depth > 0) return;
  redirected().forEach((stream, index) => {
    stream.write = redirection.writes[index] as typeof stream.write;
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
    if (logSink) redirect(logSink);
    let running: Promise<unknown> | undefined;
    try {
      running = handler(input);
      if (timeoutMs === undefined) return (await running) as never;

      return (await Promise.race([running, timedOut(timeoutMs)])) as never;
    } catch (error) {
      const { name = 'Error', message = String(error) } = error as Error;
      const lambdaError = new Error(
        JSON.stringify({ errorType: name, errorMessage: message })
      );
      lambdaError.name = name;
      throw lambdaError;
    } finally {
      // Lambda freezes a timed-out invocation; here it runs on unheard: its
      // output stays with the sink until it ends.
      const ended = running?.then(
        () => undefined,
        () => undefined
      );
      if (logSink) void (ended ?? Promise.resolve()).then(restore);
    }
  };
}

/**
 * Pauses on a scaled clock. The interpreter reads a Wait's override by
 * state name only, without its input, so the override is computed when
 * asked: a Wait's SecondsPath always reads a field of a Task's result
 * (`$.data.waitSeconds` of the Task whose ResultPath is `$.data`), and
 * the last result each Task returned is kept for that. A retry's pause
 * follows the retrier that matches the error the Task just threw, with
 * the interpreter's defaults (1 s, backoff 2).
 */
function scaledPauses(
  states: [string, StateNode][],
  scale: number,
  fallbackMs: number
) {
  const byName = new Map(states);
  const results = new Map<string, unknown>();
  const retried = new Map<string, number[]>();
  const nextRetry = new Map<string, number>();

  function read(value: unknown, path: string[]): unknown {
    return path.reduce<unknown>(
      (node, key) => (node as Record<string, unknown> | null)?.[key],
      value
    );
  }

  function waitMs(state: StateNode): number {
    if (typeof state.Seconds === 'number') return state.Seconds * scale;
    const path = state.SecondsPath;
    if (!path) return fallbackMs;
    const prefixes = [...results.keys()]
      .filter((p) => p === '$' || path === p || path.startsWith(`${p}.`))
      .sort((a, b) => b.length - a.length);
    const prefix = prefixes[0];
    if (prefix === undefined) return fallbackMs;
    const rest = path.slice(prefix.length).split('.').filter(Boolean);
    const seconds = read(results.get(prefix), rest);

    return typeof seconds === 'number' ? seconds * scale : fallbackMs;
  }

  function matches(retrier: Retrier, error: string): boolean {
    return retrier.ErrorEquals.some(
      (e) => e === error || e === 'States.ALL' || e === 'States.TaskFailed'
    );
  }

  return {
    succeeded(name: string, result: unknown) {
      const resultPath = byName.get(name)?.ResultPath;
      // A null ResultPath throws the result away: no Wait can read it.
      if (resultPath !== null) results.set(resultPath ?? '$', result);
      retried.delete(name);
    },
    failed(name: string, error: string) {
      const retriers = byName.get(name)?.Retry ?? [];
      const index = retriers.findIndex((r) => matches(r, error));
      const retrier = retriers[index];
      if (!retrier) return;
      const counts = retried.get(name) ?? retriers.map(() => 0);
      const attempt = counts[index] ?? 0;
      counts[index] = attempt + 1;
      retried.set(name, counts);
      const grown =
        (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** attempt;
      const capped = Math.min(grown, retrier.MaxDelaySeconds ?? grown);
      const jitter = retrier.JitterStrategy === 'FULL' ? 0.5 : 1;
      nextRetry.set(name, capped * jitter * scale);
    },
    waits: new Proxy({} as Record<string, number>, {
      get: (_, name) => {
        const state = byName.get(String(name));
        return state?.Type === 'Wait' ? waitMs(state) : undefined;
      },
    }),
    retries: new Proxy({} as Record<string, number>, {
      get: (_, name) =>
        byName.get(String(name))?.Retry
          ? (nextRetry.get(String(name)) ?? fallbackMs)
          : undefined,
    }),
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
  const states = allStates(definition.States as Record<string, StateNode>);
  const scaled =
    options.pauseScale === undefined
      ? undefined
      : scaledPauses(states, options.pauseScale, options.pauseMs ?? 0);
  for (const [name, state] of states) {
    if (state.Type === 'Task' && state.Resource) {
      const fn = byArn.get(state.Resource);
      if (!fn) throw new Error(`no function in template.yaml for ${name}`);
      const module = (await import(fn.entryPoint)) as { handler: Handler };
      const lambda = asLambda(
        module.handler,
        options.logSink,
        (event) => options.onInvoke?.(name, event),
        options.timeoutMs
      );
      taskHandlers[name] = scaled
        ? async (input: never) => {
            try {
              const result = await lambda(input);
              scaled.succeeded(name, result);

              return result;
            } catch (error) {
              scaled.failed(name, (error as Error).name);
              throw error;
            }
          }
        : lambda;
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
      waitTimeOverrides: scaled?.waits ?? pauses,
      retryIntervalOverrides: scaled?.retries ?? pauses,
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
