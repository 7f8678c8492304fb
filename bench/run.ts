import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../local/emulator';
import { seededRandom } from '../local/fault-proxy';
import { terminal } from '../local/workflow';
import {
  eksModel,
  handlerOwnMs,
  paceOf,
  prices,
  type RunFigures,
  runOrchestration,
  startBed,
} from './benchmark';
import { type FunctionFigures, measureFunctions } from './functions';
import { afterStacks, resourceSeconds } from './model';

/**
 * `npm run bench`: the provisioning workflow and the reference
 * orchestration, one environment each, then many environments at once,
 * through the latency model on a scaled clock; then every function's
 * bundle and cold start. Prints a table and writes the figures as JSON.
 *
 * Options: --ms-per-second N (real ms per AWS second, default 100),
 * --cloudformation-rate N (template.yaml's CloudFormationCallsPerSecond,
 * its default when left out),
 * --environments N (the scale run, default 25), --arrival-seconds N
 * (between two requests of the scale run, default 2), --init-runs N
 * (cold loads per bundle, default 5), --out PATH (default
 * .haven/bench/latest.json), --skip-functions.
 */

export interface BenchReport {
  measuredAt: string;
  command: string;
  machine: { cpus: number; cpuModel: string; node: string; platform: string };
  clock: { msPerSecond: number };
  /** The CloudFormation calls a second haven's functions were paced to. */
  pace: { callsPerSecond: number };
  model: {
    resourceSeconds: typeof resourceSeconds;
    afterStacks: typeof afterStacks;
    handlerOwnMs: number;
    prices: typeof prices;
    cloudFormationRateLimit: { perSecond: number; source: string };
  };
  single: { haven: RunFigures; reference: RunFigures };
  eks: ReturnType<typeof eksModel>;
  scale: RunFigures;
  functions: FunctionFigures[];
}

/** The rate assumed for CloudFormation's API, calls per second. */
export const cloudFormationRateLimit = {
  perSecond: 5,
  source:
    'assumption: AWS publishes no CloudFormation API rate; AWS support ' +
    'calls the limits internal (b3ross/dotenvi issue #35, 2019-03-26), ' +
    'and users report DescribeStacks throttled near 5 calls per second ' +
    '(aws/aws-sam-cli issue #2671, 2021-03-02); 5 per second for all ' +
    "CloudFormation calls of the account is taken as haven's ceiling",
};

export interface BenchArguments {
  msPerSecond: number;
  /** CloudFormation calls a second for haven; template.yaml's default when left out. */
  cloudFormationRate?: number;
  environments: number;
  arrivalSeconds: number;
  initRuns: number;
  out: string;
  skipFunctions: boolean;
}

/** A spread of ±15 % per environment and resource type, seeded. */
function spreadOf(seed: number) {
  const factors = new Map<string, number>();
  const random = seededRandom(seed);

  return (environment: string, type: string) => {
    const key = `${environment}/${type}`;
    if (!factors.has(key)) factors.set(key, 0.85 + 0.3 * random());

    return factors.get(key) as number;
  };
}

/** Runs the whole benchmark and returns its report. */
export async function benchmark(args: BenchArguments): Promise<BenchReport> {
  const say = (text: string) => terminal.err(`bench: ${text}\n`);
  // One bed for every run: the handlers make their clients once, when
  // first loaded, with the endpoint of the proxy they then keep.
  const bed = await startBed(args.msPerSecond);
  let haven: RunFigures;
  let reference: RunFigures;
  let scale: RunFigures;
  try {
    say('haven, one environment');
    haven = await runOrchestration(bed, {
      msPerSecond: args.msPerSecond,
      cloudFormationRate: args.cloudFormationRate,
      environments: 1,
      orchestration: 'haven',
    });
    say('reference orchestration, one environment');
    reference = await runOrchestration(bed, {
      msPerSecond: args.msPerSecond,
      cloudFormationRate: args.cloudFormationRate,
      environments: 1,
      orchestration: 'reference',
    });
    say(`haven, ${args.environments} environments at once`);
    scale = await runOrchestration(bed, {
      msPerSecond: args.msPerSecond,
      cloudFormationRate: args.cloudFormationRate,
      environments: args.environments,
      orchestration: 'haven',
      arrivalSeconds: args.arrivalSeconds,
      spread: spreadOf(7),
    });
  } finally {
    await bed.stop();
  }

  say('function bundles');
  const functions = args.skipFunctions
    ? []
    : await measureFunctions(args.initRuns);
  const cpu = cpus();

  return {
    measuredAt: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? 'unknown',
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    },
    clock: { msPerSecond: args.msPerSecond },
    pace: { callsPerSecond: paceOf(args.cloudFormationRate) },
    model: {
      resourceSeconds,
      afterStacks,
      handlerOwnMs,
      prices,
      cloudFormationRateLimit,
    },
    single: { haven, reference },
    eks: eksModel(),
    scale,
    functions,
  };
}

const pad = (text: string | number, width: number) =>
  String(text).padStart(width);

const round3 = (value: number) => Math.round(value * 1000) / 1000;

/**
 * The emulator's own answer time counts on the scaled clock as if AWS had
 * taken it. Says how long it was, and whether it was long enough, against
 * a turn of the pace, to bend the figures.
 */
function emulatorLines(report: BenchReport): string[] {
  const turn = round3(1 / report.pace.callsPerSecond);
  const { single, scale } = report;
  const show = (q: { p50: number; p90: number; max: number }) =>
    `${q.p50} / ${q.p90} / ${q.max}`;
  const lines = [
    "The emulator's own answer time, AWS seconds (p50 / p90 / max):",
    `  one environment, every call   ${show(single.haven.emulatorSeconds.all)}`,
    `  one environment, the turns    ${show(single.haven.emulatorSeconds.turns)}`,
    `  ${scale.environments} at once, every call     ${show(scale.emulatorSeconds.all)}`,
    `  ${scale.environments} at once, the turns      ${show(scale.emulatorSeconds.turns)}`,
  ];
  const worst = Math.max(
    single.haven.emulatorSeconds.turns.p90,
    scale.emulatorSeconds.turns.p90
  );
  if (worst > turn) {
    lines.push(
      `One answer to a turn in ten took longer than a turn (${turn} s): ` +
        'calls waited for turns they would not have waited for on AWS. ' +
        'A slower clock (--ms-per-second) gives truer figures.'
    );
  }

  return lines;
}

/** The report as tables for people. */
export function tables(report: BenchReport): string {
  const { haven, reference } = report.single;
  const rows: [string, (r: RunFigures) => string | number][] = [
    ['provisioning time (s)', (r) => r.seconds],
    ['critical-path bound (s)', (r) => r.boundSeconds],
    ['over the bound (%)', (r) => r.overBoundPercent],
    ['AWS API calls', (r) => r.apiCallsPerEnvironment],
    ['state transitions', (r) => r.transitionsPerEnvironment],
    ['Lambda invocations', (r) => r.invocationsPerEnvironment],
    ['Lambda GB-s (modelled)', (r) => r.gbSecondsPerEnvironment],
    ['Lambda GB-s (measured)', (r) => r.gbSecondsMeasuredPerEnvironment],
    ['cost per environment ($)', (r) => r.costUsdPerEnvironment.total],
  ];
  const lines = [
    `One environment, ${report.clock.msPerSecond} ms per AWS second`,
    `${'figure'.padEnd(28)}${pad('haven', 12)}${pad('reference', 12)}`,
    ...rows.map(
      ([label, pick]) =>
        `${label.padEnd(28)}${pad(pick(haven), 12)}${pad(pick(reference), 12)}`
    ),
    '',
    'API calls by operation (haven / reference)',
    ...[
      ...new Set([
        ...Object.keys(haven.callsByOperation),
        ...Object.keys(reference.callsByOperation),
      ]),
    ]
      .sort()
      .map(
        (op) =>
          `  ${op.padEnd(44)}${pad(haven.callsByOperation[op] ?? 0, 5)}` +
          `${pad(reference.callsByOperation[op] ?? 0, 6)}`
      ),
    '',
    `With its own EKS cluster (modelled, not run): bound ` +
      `${report.eks.boundSeconds} s, haven's order ` +
      `${report.eks.havenOrderSeconds} s`,
    '',
    `${report.scale.environments} environments at once: ` +
      `${report.scale.succeeded} succeeded, ${report.scale.wallSeconds} s ` +
      `in all, ${report.scale.seconds} s each against a bound of ` +
      `${report.scale.boundSeconds} s (${report.scale.overBoundPercent} %), ` +
      `${report.scale.apiCallsPerEnvironment} calls each; CloudFormation ` +
      `peak ${report.scale.cloudFormationRate.peakPerSecond}/s ` +
      `(DescribeStacks ${report.scale.cloudFormationRate.peakDescribeStacksPerSecond}/s), ` +
      `mean ${report.scale.cloudFormationRate.meanPerSecond}/s, assumed ` +
      `limit ${report.model.cloudFormationRateLimit.perSecond}/s, ` +
      `haven's pace ${report.pace.callsPerSecond}/s; ` +
      `isolation problems: ${report.scale.isolationProblems.length}`,
    '',
    ...emulatorLines(report),
  ];
  if (report.functions.length > 0) {
    lines.push(
      '',
      `${'function'.padEnd(28)}${pad('MB', 6)}${pad('bundle KiB', 12)}` +
        `${pad('init ms', 9)}  clients`,
      ...report.functions.map(
        (f) =>
          `${f.logicalId.padEnd(28)}${pad(f.memoryMb, 6)}` +
          `${pad((f.bundleBytes / 1024).toFixed(1), 12)}` +
          `${pad(f.initMs.toFixed(1), 9)}  ${f.clients.join(' ')}` +
          (f.unexpectedClients.length
            ? ` (unused: ${f.unexpectedClients.join(' ')})`
            : '')
      )
    );
  }

  return `${lines.join('\n')}\n`;
}

/** Writes the report where `out` says, as JSON. */
export function writeReport(report: BenchReport, out: string) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
}

function parse(): BenchArguments {
  const { values } = parseArgs({
    options: {
      'ms-per-second': { type: 'string', default: '100' },
      'cloudformation-rate': { type: 'string' },
      environments: { type: 'string', default: '25' },
      'arrival-seconds': { type: 'string', default: '2' },
      'init-runs': { type: 'string', default: '5' },
      out: {
        type: 'string',
        default: join(repoRoot, '.haven', 'bench', 'latest.json'),
      },
      'skip-functions': { type: 'boolean', default: false },
    },
  });

  return {
    msPerSecond: Number(values['ms-per-second']),
    cloudFormationRate:
      values['cloudformation-rate'] === undefined
        ? undefined
        : Number(values['cloudformation-rate']),
    environments: Number(values.environments),
    arrivalSeconds: Number(values['arrival-seconds']),
    initRuns: Number(values['init-runs']),
    out: values.out as string,
    skipFunctions: values['skip-functions'] === true,
  };
}

if (require.main === module) {
  const args = parse();
  benchmark(args)
    .then((report) => {
      writeReport(report, args.out);
      terminal.out(tables(report));
      terminal.out(`figures written to ${args.out}\n`);
      process.exit(0);
    })
    .catch((error: Error) => {
      terminal.err(`bench failed: ${error.stack ?? error.message}\n`);
      process.exit(1);
    });
}
