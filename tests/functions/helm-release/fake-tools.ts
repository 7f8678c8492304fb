import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What one call of the fake helm saw. */
export interface HelmCall {
  argv: string[];
  /** Content of the file after --kubeconfig, read during the call. */
  kubeconfig?: string;
  /** Content of the file after --values, read during the call. */
  values?: string;
  /** The child's environment variables that start with AWS_. */
  awsEnv: string[];
}

/** What one call of the fake kubectl saw. */
export interface KubectlCall {
  argv: string[];
  /** Everything the handler wrote to kubectl's stdin. */
  stdin: string;
  /** The child's environment variables that start with AWS_. */
  awsEnv: string[];
}

/** How the fake helm answers, per subcommand. */
export interface HelmScript {
  /** The release's status for `helm status`; absent means not found. */
  status?: string;
  /** Exit code and stderr of `helm upgrade`; success when absent. */
  upgrade?: { code: number; stderr: string };
  /** Exit code and stderr of `helm uninstall`; success when absent. */
  uninstall?: { code: number; stderr: string };
  /** Exit code and stderr of `helm rollback`; success when absent. */
  rollback?: { code: number; stderr: string };
  /** Exit code and stderr of `kubectl apply`; success when absent. */
  kubectlApply?: { code: number; stderr: string };
}

// The fake helm: a Node.js script, so it records argv exactly and reads the
// files the handler hands it before the handler deletes them.
const helmSource = `#!/usr/bin/env node
const fs = require('node:fs');
const argv = process.argv.slice(2);
const after = (flag) => {
  const i = argv.indexOf(flag);
  return i < 0 ? undefined : fs.readFileSync(argv[i + 1], 'utf8');
};
fs.appendFileSync(process.env.FAKE_HELM_LOG, JSON.stringify({
  argv,
  kubeconfig: after('--kubeconfig'),
  values: after('--values'),
  awsEnv: Object.keys(process.env).filter((k) => k.startsWith('AWS_')),
}) + '\\n');
const script = JSON.parse(fs.readFileSync(process.env.FAKE_HELM_SCRIPT, 'utf8'));
const fail = (answer) => {
  process.stderr.write(answer.stderr);
  process.exit(answer.code);
};
switch (argv[0]) {
  case 'status':
    if (!script.status) fail({ code: 1, stderr: 'Error: release: not found\\n' });
    process.stdout.write(
      JSON.stringify({ name: argv[1], info: { status: script.status }, version: 3 })
    );
    break;
  case 'upgrade':
    if (script.upgrade) fail(script.upgrade);
    process.stdout.write(
      JSON.stringify({ name: argv[1], version: 1, info: { status: 'deployed' } })
    );
    break;
  case 'uninstall':
    if (script.uninstall) fail(script.uninstall);
    process.stdout.write('release "' + argv[1] + '" uninstalled\\n');
    break;
  case 'rollback':
    if (script.rollback) fail(script.rollback);
    process.stdout.write('Rollback was a success! Happy Helming!\\n');
    break;
  default:
    process.stdout.write('ok\\n');
}
`;

// The fake kubectl records argv and stdin, and answers `get service` with a
// load balancer that has a name.
const kubectlSource = `#!/usr/bin/env node
const fs = require('node:fs');
const argv = process.argv.slice(2);
const stdin = fs.readFileSync(0, 'utf8');
fs.appendFileSync(process.env.FAKE_KUBECTL_LOG, JSON.stringify({
  argv,
  stdin,
  awsEnv: Object.keys(process.env).filter((k) => k.startsWith('AWS_')),
}) + '\\n');
const script = JSON.parse(fs.readFileSync(process.env.FAKE_HELM_SCRIPT, 'utf8'));
if (argv[0] === 'apply') {
  if (script.kubectlApply) {
    process.stderr.write(script.kubectlApply.stderr);
    process.exit(script.kubectlApply.code);
  }
  process.stdout.write(JSON.parse(stdin).kind.toLowerCase() + '/x serverside-applied\\n');
} else if (argv[0] === 'get') {
  process.stdout.write(JSON.stringify({
    spec: { type: 'LoadBalancer', ports: [{ port: 8000 }] },
    status: { loadBalancer: { ingress: [{ hostname: 'abc-123.us-east-1.elb.amazonaws.com' }] } },
  }));
} else {
  process.stdout.write('ok\\n');
}
`;

/** A folder with a fake helm and kubectl, and readers of what they saw. */
export function fakeTools() {
  const dir = mkdtempSync(join(tmpdir(), 'fake-helm-'));
  const helm = join(dir, 'helm');
  const kubectl = join(dir, 'kubectl');
  const log = join(dir, 'calls.jsonl');
  const kubectlLog = join(dir, 'kubectl-calls.jsonl');
  const script = join(dir, 'script.json');
  writeFileSync(helm, helmSource);
  writeFileSync(kubectl, kubectlSource);
  chmodSync(helm, 0o755);
  chmodSync(kubectl, 0o755);

  return {
    dir,
    env: {
      HELM_PATH: helm,
      KUBECTL_PATH: kubectl,
      FAKE_HELM_LOG: log,
      FAKE_HELM_SCRIPT: script,
      FAKE_KUBECTL_LOG: kubectlLog,
    },
    answer(answers: HelmScript) {
      writeFileSync(script, JSON.stringify(answers));
      writeFileSync(log, '');
      writeFileSync(kubectlLog, '');
    },
    calls(): HelmCall[] {
      return readFileSync(log, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as HelmCall);
    },
    kubectlCalls(): KubectlCall[] {
      return readFileSync(kubectlLog, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as KubectlCall);
    },
  };
}
