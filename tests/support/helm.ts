import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../local/emulator';
import { helmPath } from '../../local/helm-binaries';

// The unzip of the layer's binaries lives in local/, where the local run
// uses it too; the tests keep importing it from here.
export { helmPath, layerBinary, layerZip } from '../../local/helm-binaries';

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
