import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import {
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { parse } from 'yaml';
import {
  chartSecretKeys,
  withoutSecret,
} from '../../../functions/helm-release/database';
import type { HelmReleaseEvent } from '../../../functions/helm-release/event';
import { handler } from '../../../functions/helm-release/handler';
import { repoRoot } from '../../../local/emulator';
import { awsError, captureLogs } from '../fixtures';
import { fakeTools } from './fake-tools';

const eks = mockClient(EKSClient);
const rds = mockClient(RDSClient);
const secrets = mockClient(SecretsManagerClient);
const tools = fakeTools();
const savedEnv = { ...process.env };

// Characters a generated RDS password may hold, quotes and slashes among
// them, so that any escaping slip would show.
const password = 'S3cr3t"pa/ss\\word+=';
const secretArn =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1a2b3c-AbCdEf';
const host = 'demo-postgres.c1a2b3.us-east-1.rds.amazonaws.com';

const installApp: HelmReleaseEvent = {
  action: 'install',
  clusterName: 'demo-eks',
  release: 'django-app',
  chart: 'django-app',
  namespace: 'demo',
  values: { environmentName: 'demo' },
  database: { dbInstanceIdentifier: 'demo-postgres' },
  correlation: { environment: 'demo', executionId: 'exec-1' },
};

interface SecretManifest {
  kind: string;
  metadata: { name: string; namespace: string };
  data: Record<string, string>;
}

const decoded = (manifest: SecretManifest) =>
  Object.fromEntries(
    Object.entries(manifest.data).map(([key, value]) => [
      key,
      Buffer.from(value, 'base64').toString(),
    ])
  );

function appliedManifests(): SecretManifest[] {
  return tools
    .kubectlCalls()
    .filter((call) => call.argv[0] === 'apply')
    .map((call) => JSON.parse(call.stdin) as SecretManifest);
}

function secretApplied(): SecretManifest {
  const secret = appliedManifests().find((m) => m.kind === 'Secret');
  if (!secret) throw new Error('no Secret reached kubectl');

  return secret;
}

beforeEach(() => {
  process.env = {
    ...savedEnv,
    ...tools.env,
    CHARTS_DIR: '/charts',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  };
  eks.reset();
  rds.reset();
  secrets.reset();
  eks.on(DescribeClusterCommand).resolves({
    cluster: {
      name: 'demo-eks',
      status: 'ACTIVE',
      endpoint: 'https://ABC123.gr7.us-east-1.eks.amazonaws.com',
      certificateAuthority: { data: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t' },
    },
  });
  rds
    .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'demo-postgres' })
    .resolves({
      DBInstances: [
        {
          DBInstanceIdentifier: 'demo-postgres',
          DBInstanceStatus: 'available',
          DBName: 'postgresDB',
          MasterUsername: 'postgres',
          Endpoint: { Address: host, Port: 5432 },
          MasterUserSecret: { SecretArn: secretArn, SecretStatus: 'active' },
        },
      ],
    });
  secrets
    .on(GetSecretValueCommand, { SecretId: secretArn })
    .resolves({ SecretString: JSON.stringify({ username: 'app', password }) });
  tools.answer({});
});

afterEach(() => {
  jest.restoreAllMocks();
});

afterAll(() => {
  process.env = savedEnv;
  rmSync(tools.dir, { recursive: true, force: true });
});

describe('the helm-release handler with a database', () => {
  it('applies the namespace, then the Secret, with kubectl apply from stdin', async () => {
    captureLogs();

    await handler(installApp);
    const applies = tools.kubectlCalls().filter((c) => c.argv[0] === 'apply');

    expect(appliedManifests().map((m) => m.kind)).toEqual([
      'Namespace',
      'Secret',
    ]);
    for (const call of applies) {
      expect(call.argv).toEqual([
        'apply',
        '--server-side',
        '--field-manager',
        'haven',
        '--force-conflicts',
        '--filename',
        '-',
        '--output',
        'name',
        '--kubeconfig',
        expect.stringMatching(/\/helm-release-[^/]+\/kubeconfig$/),
      ]);
      // kubectl authenticates with the token; it gets no AWS keys.
      expect(call.awsEnv).not.toContain('AWS_SECRET_ACCESS_KEY');
    }
    expect(tools.calls().map((c) => c.argv[0])).toEqual(['status', 'upgrade']);
  });

  it('fills the Secret with the keys the chart reads, from RDS and its secret', async () => {
    captureLogs();

    await handler(installApp);
    const secret = secretApplied();

    expect(secret.metadata).toMatchObject({
      name: 'django-app-database',
      namespace: 'demo',
    });
    expect(decoded(secret)).toEqual({
      host,
      port: '5432',
      dbname: 'postgresDB',
      username: 'app',
      password,
    });
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, {
      SecretId: secretArn,
    });
  });

  it('keeps the password off every command line, the result, the logs and the values', async () => {
    const logs = captureLogs();

    const result = await handler(installApp);
    const argvs = [...tools.calls(), ...tools.kubectlCalls()].map((c) =>
      c.argv.join(' ')
    );
    const encoded = Buffer.from(password).toString('base64');

    for (const argv of argvs) {
      expect(argv).not.toContain(password);
      expect(argv).not.toContain(encoded);
    }
    expect(JSON.stringify(result)).not.toContain(password);
    expect(logs.length).toBeGreaterThan(0);
    expect(JSON.stringify(logs)).not.toContain(password);
    expect(JSON.stringify(logs)).not.toContain(encoded);
    expect(tools.calls()[1]?.values).not.toContain(password);
    expect(result.databaseSecret).toBe('django-app-database');
  });

  it('logs which Secret it applied, for which database', async () => {
    const logs = captureLogs();

    await handler(installApp);

    expect(logs).toContainEqual(
      expect.objectContaining({
        message: 'database secret applied',
        secret: 'django-app-database',
        namespace: 'demo',
        dbInstanceIdentifier: 'demo-postgres',
        host,
      })
    );
  });

  it('uses the Secret name, database name and key names the event gives', async () => {
    captureLogs();

    await handler({
      ...installApp,
      values: { database: { secretKeys: { name: 'database' } } },
      database: {
        dbInstanceIdentifier: 'demo-postgres',
        secretName: 'app-db',
        databaseName: 'shop',
      },
    });
    const secret = secretApplied();
    const values = JSON.parse(tools.calls()[1]?.values ?? '{}');

    expect(secret.metadata.name).toBe('app-db');
    expect(decoded(secret)).toMatchObject({ database: 'shop' });
    expect(decoded(secret)).not.toHaveProperty('dbname');
    // The chart is pointed at the Secret that was made.
    expect(values.database).toEqual({
      secretKeys: { name: 'database' },
      existingSecret: 'app-db',
    });
  });

  it('takes the user from the instance when the secret names none', async () => {
    captureLogs();
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ password }) });

    await handler(installApp);

    expect(decoded(secretApplied()).username).toBe('postgres');
  });

  it.each([
    [
      'the instance does not exist',
      () =>
        rds
          .on(DescribeDBInstancesCommand)
          .rejects(awsError('DBInstanceNotFoundFault', 'not found')),
      /no RDS instance demo-postgres/,
    ],
    [
      'the instance has no managed secret',
      () =>
        rds.on(DescribeDBInstancesCommand).resolves({
          DBInstances: [{ DBName: 'x', Endpoint: { Address: host } }],
        }),
      /no secret managed by RDS/,
    ],
    [
      'the instance has no endpoint yet',
      () =>
        rds.on(DescribeDBInstancesCommand).resolves({
          DBInstances: [{ DBInstanceStatus: 'creating' }],
        }),
      /no endpoint yet \(it is creating\)/,
    ],
    [
      'the secret holds no password',
      () =>
        secrets
          .on(GetSecretValueCommand)
          .resolves({ SecretString: 'not json' }),
      /holds no password/,
    ],
  ])(
    'throws DatabaseSecretError and installs nothing when %s',
    async (_case, arrange, message) => {
      captureLogs();
      arrange();

      await expect(handler(installApp)).rejects.toMatchObject({
        name: 'DatabaseSecretError',
        dbInstanceIdentifier: 'demo-postgres',
        message: expect.stringMatching(message),
      });
      expect(tools.calls().map((c) => c.argv[0])).toEqual(['status']);
      expect(tools.kubectlCalls()).toEqual([]);
    }
  );

  it('throws KubectlApplyFailedError without the password, before helm upgrade', async () => {
    const logs = captureLogs();
    tools.answer({
      kubectlApply: {
        code: 1,
        stderr: `Error from server (Forbidden): secret value ${password} rejected\n`,
      },
    });

    const failure = await handler(installApp).catch((e: unknown) => e);

    expect(failure).toMatchObject({
      name: 'KubectlApplyFailedError',
      kind: 'Namespace',
      exitCode: 1,
      message: expect.stringContaining('Forbidden'),
    });
    expect(String((failure as Error).message)).not.toContain(password);
    expect(JSON.stringify(logs)).not.toContain(password);
    expect(tools.calls().map((c) => c.argv[0])).toEqual(['status']);
  });

  it('deletes the Secret after uninstalling the release', async () => {
    captureLogs();

    await handler({ ...installApp, action: 'uninstall' });

    expect(rds).not.toHaveReceivedCommand(DescribeDBInstancesCommand);
    expect(tools.kubectlCalls().map((c) => c.argv)).toEqual([
      [
        'delete',
        'secret',
        'django-app-database',
        '--ignore-not-found',
        '--namespace',
        'demo',
        '--kubeconfig',
        expect.stringMatching(/kubeconfig$/),
      ],
    ]);
  });

  it('installs without any Secret when the event names no database', async () => {
    captureLogs();
    const { database: _none, ...withoutDatabase } = installApp;

    await handler(withoutDatabase);

    expect(rds).not.toHaveReceivedCommand(DescribeDBInstancesCommand);
    expect(appliedManifests()).toEqual([]);
  });

  it.each([
    [
      'a database for the monitoring chart',
      { chart: 'monitoring' as const },
      'database',
    ],
    [
      'values that point the app at another Secret',
      { values: { database: { existingSecret: 'other' } } },
      'values.database.existingSecret',
    ],
    [
      'a local Secret as well',
      { values: { database: { localSecret: { enabled: true } } } },
      'values.database.localSecret.enabled',
    ],
  ])('rejects %s, naming the field', async (_case, change, field) => {
    captureLogs();

    await expect(handler({ ...installApp, ...change })).rejects.toMatchObject({
      name: 'RequestValidationError',
      problems: [expect.objectContaining({ field })],
    });
  });
});

describe('chartSecretKeys', () => {
  it("are the django-app chart's default database.secretKeys", () => {
    const values = parse(
      readFileSync(
        join(repoRoot, 'templates', 'charts', 'django-app', 'values.yaml'),
        'utf8'
      )
    ) as { database: { secretKeys: Record<string, string> } };

    expect(chartSecretKeys).toEqual(values.database.secretKeys);
  });
});

describe('withoutSecret', () => {
  it('masks the password and its base64 form', () => {
    const text = `a ${password} b ${Buffer.from(password).toString('base64')}`;

    expect(withoutSecret(text, password)).toBe('a *** b ***');
  });

  it('leaves the text as it is for an empty password', () => {
    expect(withoutSecret('text', '')).toBe('text');
  });
});
