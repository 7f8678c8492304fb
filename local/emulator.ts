import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The root of the repository, wherever the caller runs from. */
export const repoRoot = join(__dirname, '..');

/** A running moto server, reached by the AWS SDK through its endpoint. */
export interface Emulator {
  endpoint: string;
  /** Forgets every resource, as a new emulator would. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const pythonPath = join(repoRoot, '.venv', 'bin', 'python');
const launcherPath = join(repoRoot, 'local', 'moto_server.py');

/** Settings every local run shares: a fake account in us-east-1. */
export const localAwsSettings = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
} as const;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilServing(endpoint: string, child: ChildProcess) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the emulator exited with code ${child.exitCode}`);
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return;
    } catch {
      // Not listening yet: try again shortly.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the emulator did not answer at ${endpoint} within 30 s`);
}

/** Wraps an emulator that is already running, such as one a user started. */
export function attachEmulator(endpoint: string): Emulator {
  return {
    endpoint,
    reset: async () => {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    stop: async () => {},
  };
}

/**
 * Starts moto on a free loopback port with the gaps of local/moto_server.py
 * filled, and waits until it answers.
 */
export async function startEmulator(): Promise<Emulator> {
  if (!existsSync(pythonPath)) {
    throw new Error(
      'the Python test bed is missing: run `bash local/python-env.sh` first'
    );
  }

  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(pythonPath, [launcherPath, String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });

  try {
    await waitUntilServing(endpoint, child);
  } catch (error) {
    child.kill();
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }

  return {
    ...attachEmulator(endpoint),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    },
  };
}
