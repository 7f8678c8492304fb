import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BenchReport,
  benchmark,
  tables,
  writeReport,
} from '../../bench/run';

/**
 * A smoke run of `npm run bench` on a fast clock (10 ms per AWS second),
 * with three environments at once, so CI shows the benchmark still runs
 * end to end. Its CloudFormation pace is one call a second: a turn then
 * lasts 10 ms, longer than the emulator takes to answer, as a turn must
 * for the pace to hold. It checks what the run produced, never how fast:
 * only the benchmark itself reports speed.
 */

jest.setTimeout(240_000);

describe('bench', () => {
  const saved = { ...process.env };
  let report: BenchReport;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'haven-bench-test-'));
    report = await benchmark({
      msPerSecond: 10,
      cloudFormationRate: 1,
      environments: 3,
      arrivalSeconds: 0,
      initRuns: 1,
      out: join(dir, 'latest.json'),
      skipFunctions: false,
    });
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    process.env = saved;
  });

  it.each(['haven', 'reference'] as const)(
    'provisions one environment with the %s orchestration',
    (orchestration) => {
      // Act
      const run = report.single[orchestration];

      // Assess
      expect(run.succeeded).toBe(1);
      expect(run.boundSeconds).toBeGreaterThan(0);
      expect(run.apiCallsPerEnvironment).toBeGreaterThan(0);
      expect(run.transitionsPerEnvironment).toBeGreaterThan(0);
      expect(run.costUsdPerEnvironment.total).toBeGreaterThan(0);
    }
  );

  it('provisions three environments at once, each in its own resources', () => {
    // Assess
    expect(report.scale.succeeded).toBe(3);
    expect(report.scale.isolationProblems).toEqual([]);
  });

  it('counts the calls by operation', () => {
    // Act
    const calls = report.single.haven.callsByOperation;

    // Assess
    expect(calls['cloudformation:CreateStack']).toBe(3);
    expect(calls['cloudformation:DescribeStacks']).toBeGreaterThan(3);
  });

  it("paces the CloudFormation calls at the run's rate", () => {
    // Act
    const calls = report.single.haven.callsByOperation;

    // Assess: besides the records' writes, each call took a turn.
    expect(report.pace.callsPerSecond).toBe(1);
    expect(calls['dynamodb:UpdateItem']).toBeGreaterThan(
      (calls['cloudformation:CreateStack'] ?? 0) +
        (calls['cloudformation:DescribeStacks'] ?? 0)
    );
    expect(tables(report)).toContain("haven's pace 1/s");
    expect(report.scale.emulatorSeconds.turns.p90).toBeGreaterThan(0);
  });

  it('bundles every function without clients it does not use', () => {
    // Act
    const unexpected = report.functions.flatMap((f) => f.unexpectedClients);

    // Assess
    expect(report.functions.length).toBeGreaterThan(10);
    expect(report.functions.every((f) => f.bundleBytes > 0)).toBe(true);
    expect(unexpected).toEqual([]);
  });

  it('writes the figures as JSON and as a table', () => {
    // Prepare
    const out = join(dir, 'latest.json');

    // Act
    writeReport(report, out);
    const written = JSON.parse(readFileSync(out, 'utf8')) as BenchReport;

    // Assess
    expect(written.scale.environments).toBe(3);
    expect(tables(report)).toContain('critical-path bound');
  });
});
