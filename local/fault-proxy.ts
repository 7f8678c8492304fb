import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import { type AwsCall, identifyCall } from './aws-call';
import type { FaultResponse } from './aws-errors';

/** What a rule does to a call it applies to. */
export type FaultAction =
  /** Waits before forwarding (`request`) or before answering (`response`). */
  | {
      type: 'delay';
      ms: number | ((call: AwsCall) => number);
      phase?: 'request' | 'response';
    }
  /** Closes the connection without an answer. */
  | { type: 'drop' }
  /** Answers in the emulator's place; the emulator never sees the call. */
  | { type: 'respond'; respond: (call: AwsCall) => FaultResponse }
  /**
   * Forwards the call and changes the emulator's answer. Returns the new
   * body, or undefined when this answer is not one the rule changes (then
   * the call does not count against the rule's `times`).
   */
  | {
      type: 'rewrite';
      rewrite: (body: string, call: AwsCall) => string | undefined;
    };

/** One fault: which calls it concerns, how often, and what it does. */
export interface FaultRule {
  /** Says in the proxy's log which rule acted on a call. */
  description: string;
  when: (call: AwsCall) => boolean;
  /** Fraction of the concerned calls it applies to; 1 when left out. */
  chance?: number;
  /** Concerned calls let through untouched before the rule starts. */
  skip?: number;
  /** The rule retires after acting this many times. */
  times?: number;
  /** The rule retires this long after it first acted. */
  forMs?: number;
  action: FaultAction;
}

/** A call the proxy saw, and the rules that acted on it. */
export interface ProxiedCall {
  service: string;
  operation: string;
  faults: string[];
  /** Date.now() when the call came in. */
  receivedAt: number;
  /** How long the emulator took to answer, when it was asked. */
  emulatorMs?: number;
}

export interface FaultProxy {
  /** What AWS_ENDPOINT_URL points at to go through the proxy. */
  endpoint: string;
  /** Adds rules; rules act in the order they were added. */
  add(...rules: FaultRule[]): void;
  /** Removes every rule, and forgets the log. */
  clear(): void;
  /** Every call so far, oldest first. */
  readonly calls: ProxiedCall[];
  stop(): Promise<void>;
}

export interface FaultProxyOptions {
  /** The emulator's endpoint, such as http://127.0.0.1:5000. */
  target: string;
  /** Source of chance; seeded by default so a run can be repeated. */
  random?: () => number;
}

interface RuleState {
  rule: FaultRule;
  seen: number;
  acted: number;
  firstActedAt?: number;
}

/** A small seeded generator (mulberry32): the same faults on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;

  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);

    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Forwarded {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function forward(
  target: URL,
  incoming: IncomingMessage,
  body: Buffer
): Promise<Forwarded> {
  // The emulator checks no signature, so the host may change under it;
  // compression is turned down so answers can be rewritten as text.
  const headers = { ...incoming.headers, host: target.host };
  delete headers['accept-encoding'];

  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers,
      },
      (answer) => {
        readBody(answer)
          .then((data) =>
            resolve({
              status: answer.statusCode ?? 502,
              headers: answer.headers,
              body: data,
            })
          )
          .catch(reject);
      }
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function send(
  response: ServerResponse,
  status: number,
  headers: IncomingHttpHeaders | Record<string, string>,
  body: Buffer | string
) {
  const data = typeof body === 'string' ? Buffer.from(body) : body;
  const kept = { ...headers };
  delete kept['content-length'];
  delete kept['transfer-encoding'];
  delete kept.connection;
  response.writeHead(status, { ...kept, 'content-length': data.length });
  response.end(data);
}

/**
 * Starts an HTTP proxy in front of the emulator. The handlers and the AWS
 * SDK reach it unchanged through AWS_ENDPOINT_URL; its rules delay, drop,
 * answer or rewrite the calls they match, so a test can show how haven
 * behaves when AWS is slow, throttles, or reports a failure the emulator
 * never produces by itself.
 */
export async function startFaultProxy(
  options: FaultProxyOptions
): Promise<FaultProxy> {
  const target = new URL(options.target);
  const random = options.random ?? seededRandom(1);
  let rules: RuleState[] = [];
  const calls: ProxiedCall[] = [];

  function applicable(call: AwsCall): RuleState[] {
    const now = Date.now();

    return rules.filter((state) => {
      const { rule } = state;
      if (rule.times !== undefined && state.acted >= rule.times) return false;
      if (
        rule.forMs !== undefined &&
        state.firstActedAt !== undefined &&
        now - state.firstActedAt > rule.forMs
      ) {
        return false;
      }
      if (!rule.when(call)) return false;
      state.seen += 1;
      if (state.seen <= (rule.skip ?? 0)) return false;

      return random() < (rule.chance ?? 1);
    });
  }

  function acted(state: RuleState, log: ProxiedCall) {
    state.acted += 1;
    state.firstActedAt ??= Date.now();
    log.faults.push(state.rule.description);
  }

  async function handle(incoming: IncomingMessage, response: ServerResponse) {
    const receivedAt = Date.now();
    const body = await readBody(incoming);
    const call = identifyCall(
      incoming.method ?? 'GET',
      incoming.url ?? '/',
      incoming.headers,
      body.toString('utf8')
    );
    const log: ProxiedCall = {
      service: call.service,
      operation: call.operation,
      faults: [],
      receivedAt,
    };
    calls.push(log);
    const active = applicable(call);

    let lateDelay = 0;
    for (const state of active) {
      const { action } = state.rule;
      if (action.type === 'drop') {
        acted(state, log);
        incoming.socket.destroy();
        return;
      }
      if (action.type === 'respond') {
        acted(state, log);
        const answer = action.respond(call);
        send(response, answer.status, answer.headers, answer.body);
        return;
      }
      if (action.type === 'delay') {
        acted(state, log);
        const ms = typeof action.ms === 'number' ? action.ms : action.ms(call);
        if (action.phase === 'response') lateDelay += ms;
        else await sleep(ms);
      }
    }

    const asked = Date.now();
    const answer = await forward(target, incoming, body);
    log.emulatorMs = Date.now() - asked;
    let text: string | undefined;
    for (const state of active) {
      const { action } = state.rule;
      if (action.type !== 'rewrite') continue;
      const changed = action.rewrite(text ?? answer.body.toString(), call);
      if (changed !== undefined) {
        acted(state, log);
        text = changed;
      }
    }
    if (lateDelay > 0) await sleep(lateDelay);
    send(response, answer.status, answer.headers, text ?? answer.body);
  }

  const server = createServer((incoming, response) => {
    handle(incoming, response).catch((error: Error) => {
      if (!response.headersSent) {
        send(response, 502, {}, `fault proxy: ${error.message}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    add: (...added) => {
      for (const rule of added) rules.push({ rule, seen: 0, acted: 0 });
    },
    clear: () => {
      rules = [];
      calls.length = 0;
    },
    calls,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
