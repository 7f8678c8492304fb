import { logger } from '../shared/logger';
import {
  databaseSecretManifest,
  readDatabaseConnection,
  secretKeysOf,
  withoutSecret,
} from './database';
import { KubectlApplyFailedError } from './errors';
import type { DatabaseRequest, HelmReleaseRequest } from './event';
import type { HelmReleaseResult } from './handler';
import { childEnv, runCommand } from './run';
import { paths, type Session } from './session';

/** The service names the charts give a release, as their helpers do. */
export function prefixOf(request: HelmReleaseRequest): string {
  const override = request.values.fullnameOverride;
  if (typeof override === 'string' && override !== '') return override;

  return request.release.includes(request.chart)
    ? request.release
    : `${request.release}-${request.chart}`;
}

/**
 * Applies one manifest with kubectl, handed over on stdin so that no
 * process listing shows it. Server-side apply: kubectl's client-side apply
 * would copy the whole object, a Secret's data included, into the
 * last-applied-configuration annotation.
 */
export async function kubectlApply(
  session: Session,
  manifest: { apiVersion: string; kind: string; metadata: { name: string } },
  secret = ''
): Promise<void> {
  const { kind } = manifest;
  const { name } = manifest.metadata;
  const result = await runCommand(
    paths().kubectl,
    [
      'apply',
      '--server-side',
      '--field-manager',
      'haven',
      // haven owns these objects: a field another manager took is reset.
      '--force-conflicts',
      '--filename',
      '-',
      '--output',
      'name',
      '--kubeconfig',
      session.kubeconfigPath,
    ],
    childEnv(session.scratch, {}),
    60_000,
    JSON.stringify(manifest)
  );

  if (result.code !== 0) {
    const detail = withoutSecret(result.stderr, secret).trim().slice(-800);
    throw new KubectlApplyFailedError(kind, name, result.code, detail);
  }
}

/**
 * Creates or updates the Secret the app reads DATABASE_* from, in the
 * release's namespace (created first if missing), from the RDS instance
 * and the secret RDS manages for it. The password goes to kubectl on stdin
 * only: never on a command line, in a log line or in the result.
 */
export async function applyDatabaseSecret(
  session: Session,
  database: DatabaseRequest
): Promise<void> {
  const { request } = session;
  const connection = await readDatabaseConnection(database);

  await kubectlApply(
    session,
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: request.namespace },
    },
    connection.password
  );

  const manifest = databaseSecretManifest(connection, {
    name: database.secretName,
    namespace: request.namespace,
    keys: secretKeysOf(request.values),
    dbInstanceIdentifier: database.dbInstanceIdentifier,
  });
  await kubectlApply(session, manifest, connection.password);

  logger.info('database secret applied', {
    secret: database.secretName,
    namespace: request.namespace,
    dbInstanceIdentifier: database.dbInstanceIdentifier,
    host: connection.host,
  });
}

/** The database Secret is not helm's, so helm uninstall leaves it. */
export async function deleteDatabaseSecret(
  session: Session,
  database: DatabaseRequest
): Promise<void> {
  const result = await runCommand(
    paths().kubectl,
    [
      'delete',
      'secret',
      database.secretName,
      '--ignore-not-found',
      '--namespace',
      session.request.namespace,
      '--kubeconfig',
      session.kubeconfigPath,
    ],
    childEnv(session.scratch, {}),
    60_000
  );

  if (result.code !== 0) {
    // The release is gone; a leftover Secret goes with the namespace.
    logger.warn('database secret not deleted', {
      secret: database.secretName,
      stderr: result.stderr,
    });
  }
}

/**
 * Where the django-app release answers: its load balancer's address, or a
 * port-forward for a service of another type. Pending while AWS has not
 * named the load balancer, or when the service cannot be read.
 */
export async function serviceAddress(
  session: Session
): Promise<Partial<HelmReleaseResult>> {
  const { request } = session;
  const name = prefixOf(request);
  const result = await runCommand(
    paths().kubectl,
    [
      'get',
      'service',
      name,
      '--namespace',
      request.namespace,
      '--output',
      'json',
      '--kubeconfig',
      session.kubeconfigPath,
    ],
    childEnv(session.scratch, {}),
    30_000
  );

  if (result.code !== 0) {
    // The release is installed; only its address is unknown for now.
    logger.warn('service not read', { service: name, stderr: result.stderr });

    return { addressPending: true };
  }

  const service = JSON.parse(result.stdout) as {
    spec?: { type?: string; ports?: { port?: number }[] };
    status?: {
      loadBalancer?: { ingress?: { hostname?: string; ip?: string }[] };
    };
  };
  const port = service.spec?.ports?.[0]?.port ?? 8000;
  if (service.spec?.type !== 'LoadBalancer') {
    return {
      access:
        `kubectl port-forward -n ${request.namespace} svc/${name} ` +
        `${port}:${port}`,
    };
  }

  const ingress = service.status?.loadBalancer?.ingress?.[0];
  const host = ingress?.hostname ?? ingress?.ip;

  return host
    ? { address: `http://${host}:${port}/` }
    : { addressPending: true };
}

/** How a person reaches the monitoring release's Grafana, and its password. */
export function grafanaAccess(
  request: HelmReleaseRequest
): Partial<HelmReleaseResult> {
  const grafana = `${prefixOf(request)}-grafana`;
  const values = request.values.grafana as
    | { existingSecret?: string }
    | undefined;

  return {
    access:
      `kubectl port-forward -n ${request.namespace} svc/${grafana} ` +
      '3000:3000, then http://127.0.0.1:3000/',
    passwordSecret: values?.existingSecret || grafana,
  };
}
