// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are
// GitHub Actions expressions, whose ${{ ... }} is meant literally.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../../local/emulator';
import { actionlintPath } from '../support/actionlint';

const workflowsDir = join(repoRoot, '.github', 'workflows');
const workflows = readdirSync(workflowsDir)
  .filter((file) => file.endsWith('.yml'))
  .sort();

interface Step {
  uses?: string;
  if?: string;
  with?: Record<string, unknown>;
}

interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { steps: Step[] }>;
}

function workflow(file: string): Workflow {
  return parse(readFileSync(join(workflowsDir, file), 'utf8')) as Workflow;
}

function steps(file: string): Step[] {
  return Object.values(workflow(file).jobs).flatMap((job) => job.steps);
}

describe('GitHub workflows', () => {
  it('holds the test and docker workflows', () => {
    expect(workflows).toEqual(['docker.yml', 'test.yml']);
  });

  it('passes actionlint', () => {
    const result = spawnSync(actionlintPath(), ['-no-color'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });

    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each(workflows)('pins every action in %s to a commit', (file) => {
    const text = readFileSync(join(workflowsDir, file), 'utf8');
    const uses = [...text.matchAll(/uses: (\S+)(.*)$/gm)];

    expect(uses.length).toBeGreaterThan(0);
    for (const [, action, comment] of uses) {
      expect(action).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
      expect(comment).toMatch(/^ # v\d+\.\d+\.\d+$/);
    }
  });

  it.each(workflows)('reads the repository only by default in %s', (file) => {
    expect(workflow(file).permissions).toEqual({ contents: 'read' });
  });

  it('runs .ci/run after installing the servers as root', () => {
    const runs = workflow('test.yml').jobs.test?.steps.map(
      (step) => (step as { run?: string }).run
    );

    expect(runs).toEqual(
      expect.arrayContaining([
        'sudo bash tests/app/install-servers.sh',
        'bash .ci/run',
      ])
    );
  });

  it('pushes images from pushes only, never from pull requests', () => {
    const build = steps('docker.yml').find((s) =>
      s.uses?.startsWith('docker/build-push-action@')
    );
    const login = steps('docker.yml').find((s) =>
      s.uses?.startsWith('docker/login-action@')
    );

    expect(build?.with).toMatchObject({
      context: 'app',
      push: "${{ github.event_name == 'push' }}",
      'cache-from': 'type=gha,scope=app',
    });
    expect(login?.if).toBe("github.event_name == 'push'");
    expect(workflow('docker.yml').on).toMatchObject({
      push: { branches: ['main'], tags: ['v*'] },
    });
  });

  it('tags every image with its commit and version besides latest', () => {
    const meta = steps('docker.yml').find((s) =>
      s.uses?.startsWith('docker/metadata-action@')
    );
    const tags = String(meta?.with?.tags).trim().split('\n');

    expect(tags).toEqual([
      'type=sha,format=long',
      'type=semver,pattern={{version}}',
      "type=raw,value=latest,enable=${{ github.ref == 'refs/heads/main' }}",
    ]);
  });
});
