import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { renderedDir } from '../../local/eks-stand-ins';
import { repoRoot } from '../../local/emulator';

const run = promisify(execFile);
const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
// Without an endpoint, the run starts an emulator of its own.
const noEndpoint = { ...process.env, AWS_ENDPOINT_URL: '' };

/** The kind and name of each document of a rendered file. */
function documentsOf(yaml: string): { kind: string; name: string }[] {
  return yaml.split(/^---$/m).flatMap((doc) => {
    const kind = /^kind: (\S+)/m.exec(doc)?.[1];
    const name = /^metadata:\n(?:\s+.*\n)*?\s{2}name: (\S+)/m.exec(doc)?.[1];

    return kind ? [{ kind, name: name ?? '' }] : [];
  });
}

describe('npm run local -- events/provision-eks-request.json', () => {
  let stdout: string;
  let app: string;

  beforeAll(async () => {
    // execFile rejects when the run exits non-zero, failing every test.
    ({ stdout } = await run(
      tsx,
      ['local/run.ts', 'events/provision-eks-request.json'],
      { cwd: repoRoot, env: noEndpoint }
    ));
    app = readFileSync(join(renderedDir, 'django-app.yaml'), 'utf8');
  }, 120_000);

  it('says what stands in for a real cluster', () => {
    expect(stdout).toContain(
      'EKS on the emulator: cluster shared made through the EKS API; ' +
        'Helm releases rendered with the real helm into .haven/rendered, ' +
        'not installed (the emulator has no Kubernetes API).'
    );
    expect(stdout).toMatch(
      new RegExp(
        /Node security group sg-0123456789abcdef0 does not exist on the /
          .source + /emulator; sg-[0-9a-f]+, made there, stands in/.source
      )
    );
  });

  it('runs both Helm steps and ends with the environment ready', () => {
    expect(stdout).toMatch(/s {2}Install the app release\n/);
    expect(stdout).toMatch(/s {2}Install the monitoring release\n/);
    expect(stdout).toContain('The environment is ready');
  });

  it('lists the rendered releases', () => {
    expect(stdout).toContain(
      'Rendered, not installed:\n' +
        '  .haven/rendered/django-app.yaml\n' +
        '  .haven/rendered/monitoring.yaml\n'
    );
  });

  it('renders the app with the real chart and the request as values', () => {
    expect(documentsOf(app)).toContainEqual({
      kind: 'Deployment',
      name: 'django-app',
    });
    // The handler's values point the app at the database Secret it applies.
    expect(app).toMatch(/secretKeyRef:\n\s+name: django-app-database\n/);
  });

  it('keeps the database credentials out of every rendered file', () => {
    const secrets = ['django-app.yaml', 'monitoring.yaml']
      .map((file) => readFileSync(join(renderedDir, file), 'utf8'))
      .flatMap(documentsOf)
      .filter((doc) => doc.kind === 'Secret')
      .map((doc) => doc.name);

    // The app reads the Secret the Helm function applies; its stand-in
    // drops what it reads, so only the charts' generated Secrets remain.
    expect(secrets).not.toContain('django-app-database');
    expect(app).not.toMatch(/^ {2}password:/m);
  });
});
