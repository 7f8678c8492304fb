import { spawn } from 'node:child_process';

/** How a child process ended and what it printed. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Never handed to helm or kubectl: they authenticate with the kubeconfig's
// token, and a child has no business holding the function's keys.
const withheld = new Set([
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
]);

/**
 * The environment of a child: the function's own minus its AWS keys, plus
 * the given variables. Helm's cache, config and data folders go to /tmp
 * (or `scratch`), the only writable place in Lambda.
 */
export function childEnv(
  scratch: string,
  extra: Record<string, string>
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!withheld.has(key)) env[key] = value;
  }

  return {
    ...env,
    HOME: scratch,
    HELM_CACHE_HOME: `${scratch}/helm/cache`,
    HELM_CONFIG_HOME: `${scratch}/helm/config`,
    HELM_DATA_HOME: `${scratch}/helm/data`,
    ...extra,
  };
}

/**
 * Runs a program without a shell (arguments are never parsed again) and
 * kills it after `timeoutMs`, so a hung helm cannot outlive the function.
 * `input`, when given, is written to the child's stdin, the one way to hand
 * it a secret that no process listing or log shows.
 */
export function runCommand(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  input?: string
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    // Without input the child reads end-of-file at once, as from /dev/null.
    // A child that exits before reading all of it closes the pipe: its exit
    // code, not the write error, tells what went wrong.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
