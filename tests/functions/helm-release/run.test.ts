import { childEnv, runCommand } from '../../../functions/helm-release/run';

describe('childEnv', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it("withholds the function's AWS keys and points helm at scratch", () => {
    // Prepare
    jest.replaceProperty(process, 'env', {
      PATH: '/usr/bin',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKID',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
    });

    // Act
    const env = childEnv('/tmp/run-1', { KUBECONFIG: '/tmp/run-1/config' });

    // Assess
    expect(env).toEqual({
      PATH: '/usr/bin',
      AWS_REGION: 'eu-west-1',
      HOME: '/tmp/run-1',
      HELM_CACHE_HOME: '/tmp/run-1/helm/cache',
      HELM_CONFIG_HOME: '/tmp/run-1/helm/config',
      HELM_DATA_HOME: '/tmp/run-1/helm/data',
      KUBECONFIG: '/tmp/run-1/config',
    });
  });

  it('lets the extra variables win over the scratch folders', () => {
    // Prepare
    jest.replaceProperty(process, 'env', { HOME: '/home/sbx_user' });

    // Act
    const env = childEnv('/tmp/run-1', { HOME: '/var/task' });

    // Assess
    expect(env.HOME).toBe('/var/task');
  });
});

describe('runCommand', () => {
  const script = [
    'process.stdout.write(process.env.GREETING + " " + process.argv[1]);',
    'process.stderr.write("warned");',
    'process.exit(3);',
  ].join('');

  it('gives the exit code and what the program printed', async () => {
    // Act
    const result = await runCommand(
      process.execPath,
      ['-e', script, 'world; echo injected'],
      { GREETING: 'hello' },
      5_000
    );

    // Assess
    expect(result).toEqual({
      code: 3,
      stdout: 'hello world; echo injected',
      stderr: 'warned',
    });
  });

  it('kills a program that outlives its time', async () => {
    // Act
    const result = await runCommand(
      process.execPath,
      ['-e', 'setTimeout(() => {}, 10000)'],
      {},
      100
    );

    // Assess
    expect(result.code).toBeNull();
  });

  it('fails when the program does not exist', async () => {
    // Act
    const running = runCommand('/nonexistent/helm', [], {}, 1_000);

    // Assess
    await expect(running).rejects.toHaveProperty('code', 'ENOENT');
  });
});
