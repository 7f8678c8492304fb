import { join } from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { clock as paceClock } from '../functions/shared/clock';
import { busiestWindow } from '../local/busiest-window';
import { readTemplate } from '../local/cfn-yaml';
import {
  type Emulator,
  localAwsSettings,
  repoRoot,
  startEmulator,
} from '../local/emulator';
import { type FaultProxy, startFaultProxy } from '../local/fault-proxy';
import { openMailbox } from '../local/mailbox';
import { localResources } from '../local/provision';
import { ensureTables } from '../local/resources';
import { definitionSubstitutions } from '../local/sam-functions';
import { type EventLog, runLocally } from '../local/workflow';
import {
  type AwsModel,
  awsModel,
  type ModelledStack,
  ScaledClock,
  type Spread,
} from './aws-model';
import { type FunctionFigures, functionSettings } from './functions';
import { afterStacks, modelStack, tierTemplate } from './model';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Prices used for the orchestration's cost, with where they are from. */
export const prices = {
  source:
    'aws.amazon.com/step-functions/pricing and aws.amazon.com/lambda/' +
    'pricing, US East (N. Virginia), as stored in December 2026',
  transitionUsd: 0.000025,
  lambdaRequestUsd: 0.2 / 1_000_000,
  gbSecondUsd: { x86_64: 0.0000166667, arm64: 0.0000133334 },
} as const;

/**
 * Milliseconds a handler spends beyond its API calls: parsing, logging,
 * the SDK's signing. An assumption; local handlers run against the
 * emulator, whose times say nothing about AWS's.
 */
export const handlerOwnMs = 20;

/** The CloudFormation calls a second a run paces haven's functions to. */
export function paceOf(cloudFormationRate?: number): number {
  if (cloudFormationRate !== undefined) return cloudFormationRate;
  const template = readTemplate(join(repoRoot, 'template.yaml'));
  const parameters = template.Parameters as Record<
    string,
    { Default?: number }
  >;

  return Number(parameters.CloudFormationCallsPerSecond?.Default);
}

/** Which workflow a run uses. */
export const orchestrations = {
  haven: join(repoRoot, 'statemachines', 'provision.asl.yaml'),
  reference: join(repoRoot, 'bench', 'reference.asl.yaml'),
} as const;

export type Orchestration = keyof typeof orchestrations;

/** Figures of one environment's provisioning. */
export interface EnvironmentFigures {
  environment: string;
  status: string;
  error?: string;
  /** AWS seconds from the execution's start to its end. */
  seconds: number;
  /** The critical-path bound of the same model for this environment. */
  boundSeconds: number;
  apiCalls: number;
  transitions: number;
  invocations: number;
  /** The states entered, with when (AWS seconds from the start). */
  timeline?: { state: string; at: number }[];
}

/** Figures of one run, per environment where they are per environment. */
export interface RunFigures {
  orchestration: Orchestration;
  environments: number;
  succeeded: number;
  /** Mean over the environments. */
  seconds: number;
  boundSeconds: number;
  overBoundPercent: number;
  apiCallsPerEnvironment: number;
  callsByOperation: Record<string, number>;
  transitionsPerEnvironment: number;
  invocationsPerEnvironment: number;
  /** Modelled: memory × (own time + modelled latency of its calls). */
  gbSecondsPerEnvironment: number;
  /** Measured: memory × the handlers' local durations. */
  gbSecondsMeasuredPerEnvironment: number;
  costUsdPerEnvironment: {
    stepFunctions: number;
    lambdaRequests: number;
    lambdaDuration: number;
    total: number;
  };
  /** AWS seconds of the whole run, first start to last end. */
  wallSeconds: number;
  cloudFormationRate: {
    peakPerSecond: number;
    peakDescribeStacksPerSecond: number;
    meanPerSecond: number;
  };
  /**
   * How long the emulator took to answer, in AWS seconds on the scaled
   * clock: time the model does not account for. The answers to the turns
   * of the CloudFormation pace must come well within a turn, or calls wait
   * for turns they would not have waited for on AWS.
   */
  emulatorSeconds: {
    all: { p50: number; p90: number; max: number };
    turns: { p50: number; p90: number; max: number };
  };
  isolationProblems: string[];
  perEnvironment: EnvironmentFigures[];
}

export interface BenchOptions {
  /** Real milliseconds per AWS second. */
  msPerSecond: number;
  /**
   * template.yaml's CloudFormationCallsPerSecond for this run; its
   * default when left out.
   */
  cloudFormationRate?: number;
  environments: number;
  orchestration: Orchestration;
  /** AWS seconds between two environments' requests. */
  arrivalSeconds?: number;
  /** Stretch each resource's time per environment, seeded. */
  spread?: Spread;
}

/** The emulator, the proxy with the model, and the clock. */
export interface BenchBed {
  emulator: Emulator;
  proxy: FaultProxy;
  clock: ScaledClock;
  model: AwsModel;
  stop(): Promise<void>;
}

/** Starts the emulator and the proxy, and points the SDK at the proxy. */
export async function startBed(msPerSecond: number): Promise<BenchBed> {
  const emulator = await startEmulator();
  const proxy = await startFaultProxy({ target: emulator.endpoint });
  const clock = new ScaledClock(msPerSecond);
  const model = awsModel(clock);
  // CloudFormation's rate is per AWS second, so the functions book their
  // turns and wait for them on the scaled clock.
  const { now: realNow, sleep: realSleep } = paceClock;
  paceClock.now = () => clock.now() * 1000;
  paceClock.sleep = (ms) => sleep((ms / 1000) * msPerSecond);
  Object.assign(process.env, localAwsSettings, {
    AWS_ENDPOINT_URL: proxy.endpoint,
    // Reading the emails back is no part of what is measured.
    AWS_ENDPOINT_URL_SQS: emulator.endpoint,
  });

  return {
    emulator,
    proxy,
    clock,
    model,
    stop: async () => {
      paceClock.now = realNow;
      paceClock.sleep = realSleep;
      await proxy.stop();
      await emulator.stop();
    },
  };
}

/** The critical-path bound: network, data, compute, each in parallel. */
export function boundOf(stacks: ModelledStack[], model: AwsModel): number {
  const tier = (suffix: string) =>
    stacks.find((s) => s.stackName.endsWith(`-${suffix}`));
  const network = tier('network');
  const data = tier('data');
  const compute = tier('compute');
  if (!network || !data || !compute) return Number.NaN;
  const ready = Math.max(
    compute.model.seconds,
    model.targetsHealthyAt(compute) - compute.startedAt
  );

  return network.model.seconds + data.model.seconds + ready;
}

/**
 * Modelled figures of an environment on its own EKS cluster, which the
 * emulator cannot build: the bound, with the cluster stack started after
 * the network and the releases as soon as the cluster and the database
 * are there, and haven's order: it starts the compute stack, installs the
 * releases while CloudFormation builds it, then waits for the compute
 * tier, so the releases are off the critical path unless they take longer
 * than the compute tier and its targets.
 */
export function eksModel() {
  const stack = (tier: string) => modelStack(tierTemplate(tier), {});
  const network = stack('network').seconds;
  const data = stack('data').seconds;
  const computeModel = stack('compute');
  const compute = readTemplate(join(repoRoot, 'templates', 'compute.yaml'));
  const group = Object.entries(
    (compute.Resources ?? {}) as Record<string, { Type?: string }>
  ).find(([, r]) => r.Type === 'AWS::AutoScaling::AutoScalingGroup')?.[0];
  const targets =
    (computeModel.finish.get(group ?? '') ?? 0) +
    afterStacks.instanceBoot.seconds +
    60;
  const eks = stack('eks');
  const releases =
    afterStacks.appRelease.seconds + afterStacks.monitoringRelease.seconds;
  const vmPath = network + data + Math.max(computeModel.seconds, targets);
  const clusterPath =
    Math.max(network + eks.seconds, network + data) + releases;

  return {
    eksStackSeconds: eks.seconds,
    eksChain: eks.chain,
    boundSeconds: Math.max(vmPath, clusterPath),
    havenOrderSeconds: Math.max(
      vmPath,
      Math.max(network + data, network + eks.seconds) + releases
    ),
  };
}

function requestFor(name: string) {
  return {
    name,
    notificationEmail: `team-${name}@example.com`,
    app: { repository: 'https://git.example.com/app-team/django-app.git' },
  };
}

interface Invocation {
  state: string;
  start: number;
  end: number;
}

/** Task durations from the event log, real milliseconds. */
function invocationsOf(events: EventLog[]): Invocation[] {
  const open = new Map<string, number>();
  const done: Invocation[] = [];
  for (const event of events) {
    const e = event as {
      type: string;
      timestamp: number;
      state?: { name: string; type: string };
    };
    if (e.state?.type !== 'Task') continue;
    if (e.type === 'StateEntered') open.set(e.state.name, e.timestamp);
    if (e.type === 'StateExited' || e.type === 'StateCaught') {
      const start = open.get(e.state.name);
      if (start !== undefined) {
        done.push({ state: e.state.name, start, end: e.timestamp });
      }
      open.delete(e.state.name);
    }
  }

  return done;
}

/** Memory (GB) of the function behind each Task state of a definition. */
function memoryByState(
  path: string
): Map<string, { gb: number; arch: string }> {
  const substitutions = definitionSubstitutions('ProvisionStateMachine');
  const settings = functionSettings();
  const states = new Map<string, { gb: number; arch: string }>();
  const parsed = readTemplate(path) as {
    States: Record<string, { Resource?: string }>;
  };
  for (const [name, state] of Object.entries(parsed.States)) {
    const ref = state.Resource?.match(/\$\{(\w+)\}/)?.[1];
    const id = ref ? substitutions[ref] : undefined;
    const setting = id ? settings.get(id) : undefined;
    if (setting) {
      states.set(name, {
        gb: setting.memoryMb / 1024,
        arch: setting.architecture,
      });
    }
  }

  return states;
}

// The emulator lists a List<> parameter as a Python list's text.
const subnetIds = /subnet-[0-9a-f]+/g;

async function isolationProblems(
  endpoint: string,
  names: string[]
): Promise<string[]> {
  const direct = { endpoint };
  const cloudFormation = new CloudFormationClient(direct);
  const ec2 = new EC2Client(direct);
  const problems: string[] = [];
  const vpcs = new Map<string, string>();
  const buckets = new Map<string, string>();

  for (const name of names) {
    const stacks: Record<string, Stack | undefined> = {};
    for (const tier of ['network', 'data', 'compute']) {
      const stackName = `haven-${name}-${tier}`;
      const stack = await cloudFormation
        .send(new DescribeStacksCommand({ StackName: stackName }))
        .then((answer) => answer.Stacks?.[0])
        .catch(() => undefined);
      stacks[tier] = stack;
      const tag = stack?.Tags?.find((t) => t.Key === 'haven:environment');
      if (tag?.Value !== name) {
        problems.push(`${stackName} is tagged for ${tag?.Value ?? 'nobody'}`);
      }
    }
    const output = (tier: string, key: string) =>
      stacks[tier]?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue ??
      '';
    const parameter = (tier: string, key: string) =>
      stacks[tier]?.Parameters?.find((p) => p.ParameterKey === key)
        ?.ParameterValue ?? '';
    const vpc = output('network', 'VpcId');
    if (vpcs.has(vpc))
      problems.push(`${name} shares ${vpc} with ${vpcs.get(vpc)}`);
    vpcs.set(vpc, name);
    if (parameter('compute', 'VpcId') !== vpc) {
      problems.push(`${name}'s compute stack is in another VPC`);
    }
    const { Subnets = [] } = await ec2.send(
      new DescribeSubnetsCommand({
        Filters: [{ Name: 'vpc-id', Values: [vpc] }],
      })
    );
    const own = new Set(Subnets.map((s) => s.SubnetId));
    for (const subnet of Subnets) {
      const tag = subnet.Tags?.find((t) => t.Key === 'haven:environment');
      if (tag?.Value !== name) {
        problems.push(
          `${subnet.SubnetId} in ${name}'s VPC is not tagged ${name}`
        );
      }
    }
    const used = [
      ...(parameter('data', 'DatabaseSubnetIds').match(subnetIds) ?? []),
      ...(parameter('compute', 'PrivateSubnetIds').match(subnetIds) ?? []),
      ...(parameter('compute', 'PublicSubnetIds').match(subnetIds) ?? []),
    ];
    for (const subnet of used.filter((s) => !own.has(s))) {
      problems.push(`${name} uses subnet ${subnet} outside its VPC`);
    }
    const bucket = output('data', 'StaticBucketName');
    if (!bucket.startsWith(`${name}-`)) {
      problems.push(`${name}'s bucket ${bucket} is not named for it`);
    }
    if (buckets.has(bucket)) problems.push(`${name} shares bucket ${bucket}`);
    buckets.set(bucket, name);
  }

  return problems;
}

const round = (value: number, digits = 1) =>
  Math.round(value * 10 ** digits) / 10 ** digits;

function quantiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    round(
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0,
      2
    );

  return { p50: at(0.5), p90: at(0.9), max: round(sorted.at(-1) ?? 0, 2) };
}

/**
 * The emulator's answer times in AWS seconds: of every call, and of the
 * DynamoDB updates, which are the turns of the pace (and the records).
 */
function emulatorSecondsOf(proxy: FaultProxy, msPerSecond: number) {
  const answered = proxy.calls.filter((c) => c.emulatorMs !== undefined);
  const seconds = (calls: typeof answered) =>
    quantiles(calls.map((c) => (c.emulatorMs as number) / msPerSecond));

  return {
    all: seconds(answered),
    turns: seconds(
      answered.filter(
        (c) => c.service === 'dynamodb' && c.operation === 'UpdateItem'
      )
    ),
  };
}

/**
 * Provisions `environments` environments with one orchestration, all at
 * once (each request `arrivalSeconds` after the one before), through the
 * latency model, and returns what it cost.
 */
export async function runOrchestration(
  bed: BenchBed,
  options: BenchOptions
): Promise<RunFigures> {
  await bed.emulator.reset();
  bed.proxy.clear();
  bed.model.clear(options.spread);
  bed.proxy.add(...bed.model.rules);
  await ensureTables();

  const definitionPath = orchestrations[options.orchestration];
  const memory = memoryByState(definitionPath);
  const prefix = options.orchestration === 'haven' ? 'hv' : 'rf';
  const names = Array.from(
    { length: options.environments },
    (_, i) => `${prefix}${String(i + 1).padStart(2, '0')}`
  );
  const runStart = Date.now();
  const results = await Promise.all(
    names.map(async (name, index) => {
      await sleep(index * (options.arrivalSeconds ?? 0) * options.msPerSecond);
      const mailbox = await openMailbox(name);
      const invoked: string[] = [];
      const execution = await runLocally({
        definitionPath,
        stateMachineId: 'ProvisionStateMachine',
        input: requestFor(name),
        executionName: `${name}-bench`,
        values: {
          resources: localResources,
          parameters:
            options.cloudFormationRate === undefined
              ? undefined
              : {
                  CloudFormationCallsPerSecond: String(
                    options.cloudFormationRate
                  ),
                },
        },
        environmentOverrides: {
          TEMPLATES_DIR: join(repoRoot, 'templates'),
        },
        pauseScale: options.msPerSecond,
        onInvoke: (state) => invoked.push(state),
        logSink: () => undefined,
      });
      await mailbox.read();

      return { name, execution, invoked };
    })
  );
  const runEnd = Date.now();

  const perEnvironment: EnvironmentFigures[] = [];
  let gbSeconds = 0;
  let gbSecondsMeasured = 0;
  let lambdaUsd = 0;
  const toAws = (ms: number) => ms / options.msPerSecond;
  for (const { name, execution, invoked } of results) {
    const stamps = execution.events.map(
      (e) => (e as { timestamp: number }).timestamp
    );
    const started = Math.min(...stamps);
    const ended = Math.max(...stamps);
    const stacks = [...bed.model.stacks.values()].filter(
      (s) => s.environment === name
    );
    const transitions = execution.events.filter(
      (e) => e.type === 'StateEntered' || e.type === 'StateRetried'
    ).length;
    const inWindow = bed.model.calls.filter(
      (c) =>
        c.at >= toAws(started - bed.clock.origin) &&
        c.at <= toAws(ended - bed.clock.origin)
    );
    perEnvironment.push({
      environment: name,
      status: execution.status,
      error: execution.error,
      seconds: round(toAws(ended - started)),
      boundSeconds: round(boundOf(stacks, bed.model)),
      // Calls are told apart by time only; exact when runs do not overlap.
      apiCalls: options.environments === 1 ? inWindow.length : Number.NaN,
      transitions,
      invocations: invoked.length,
      timeline:
        options.environments === 1
          ? execution.events
              .filter((e) => e.type === 'StateEntered')
              .map((e) => ({
                state: (e as { state: { name: string } }).state.name,
                at: round(
                  toAws((e as { timestamp: number }).timestamp - started)
                ),
              }))
          : undefined,
    });
    if (options.environments === 1) {
      for (const call of invocationsOf(execution.events)) {
        const fn = memory.get(call.state) ?? { gb: 0.25, arch: 'arm64' };
        const calls = bed.model.calls.filter(
          (c) =>
            c.at >= toAws(call.start - bed.clock.origin) &&
            c.at <= toAws(call.end - bed.clock.origin)
        );
        const modelled =
          (handlerOwnMs + calls.reduce((sum, c) => sum + c.latencyMs, 0)) /
          1000;
        const measured = (call.end - call.start) / 1000;
        gbSeconds += fn.gb * modelled;
        gbSecondsMeasured += fn.gb * measured;
        lambdaUsd +=
          fn.gb *
          modelled *
          prices.gbSecondUsd[fn.arch === 'x86_64' ? 'x86_64' : 'arm64'];
      }
    }
  }

  const n = options.environments;
  const mean = (pick: (e: EnvironmentFigures) => number) =>
    perEnvironment.reduce((sum, e) => sum + pick(e), 0) / n;
  const byOperation: Record<string, number> = {};
  for (const call of bed.model.calls) {
    const key = `${call.service}:${call.operation}`;
    byOperation[key] = (byOperation[key] ?? 0) + 1;
  }
  const cfn = bed.model.calls.filter((c) => c.service === 'cloudformation');
  const wallSeconds = toAws(runEnd - runStart);
  const transitions = mean((e) => e.transitions);
  const invocations = mean((e) => e.invocations);
  const seconds = mean((e) => e.seconds);
  const bound = mean((e) => e.boundSeconds);
  const stepFunctions = transitions * prices.transitionUsd;
  const requests = invocations * prices.lambdaRequestUsd;

  return {
    orchestration: options.orchestration,
    environments: n,
    succeeded: perEnvironment.filter((e) => e.status === 'SUCCEEDED').length,
    seconds: round(seconds),
    boundSeconds: round(bound),
    overBoundPercent: round(((seconds - bound) / bound) * 100, 2),
    apiCallsPerEnvironment: round(bed.model.calls.length / n),
    callsByOperation: byOperation,
    transitionsPerEnvironment: round(transitions),
    invocationsPerEnvironment: round(invocations),
    gbSecondsPerEnvironment: round(gbSeconds, 3),
    gbSecondsMeasuredPerEnvironment: round(gbSecondsMeasured, 3),
    costUsdPerEnvironment: {
      stepFunctions: round(stepFunctions, 6),
      lambdaRequests: round(requests, 7),
      lambdaDuration: round(lambdaUsd, 7),
      total: round(stepFunctions + requests + lambdaUsd, 6),
    },
    wallSeconds: round(wallSeconds),
    cloudFormationRate: {
      peakPerSecond: busiestWindow(
        cfn.map((c) => c.at),
        1
      ),
      peakDescribeStacksPerSecond: busiestWindow(
        cfn.filter((c) => c.operation === 'DescribeStacks').map((c) => c.at),
        1
      ),
      meanPerSecond: round(cfn.length / wallSeconds, 2),
    },
    emulatorSeconds: emulatorSecondsOf(bed.proxy, options.msPerSecond),
    isolationProblems:
      n > 1 ? await isolationProblems(bed.emulator.endpoint, names) : [],
    perEnvironment,
  };
}

export type { FunctionFigures };
