import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { taskHandler } from '../shared/handler';
import { logger } from '../shared/logger';
import { HelmReleasePendingError } from './errors';
import {
  type HelmReleaseEvent,
  type HelmReleaseRequest,
  parseEvent,
} from './event';
import {
  applyDatabaseSecret,
  deleteDatabaseSecret,
  grafanaAccess,
  serviceAddress,
} from './kubectl';
import { failure, helm, paths, type Session, writeKubeconfig } from './session';

/** Time limits of one invocation, in seconds. */
export const limits = {
  /**
   * Kept free at the end of the invocation for the status calls, the
   * service lookup and the return, after helm's own bound.
   */
  marginSeconds: 60,
  /** helm's --timeout when the event names none. */
  defaultTimeoutSeconds: 600,
  /** Below this no install of these charts can finish. */
  minimumTimeoutSeconds: 60,
  /** The function's timeout, for runs outside Lambda. */
  functionTimeoutSeconds: 900,
} as const;

/** What the function returns to the state machine. */
export interface HelmReleaseResult {
  action: 'install' | 'uninstall';
  release: string;
  namespace: string;
  chart: string;
  /** Helm's status of the release: deployed, or uninstalled. */
  status: string;
  revision?: number;
  /** The app's address, once its load balancer has a name. */
  address?: string;
  /** The load balancer exists but AWS has not named it yet. */
  addressPending?: boolean;
  /** How a person reaches the service (monitoring, internal app). */
  access?: string;
  /** The Secret holding Grafana's administrator password. */
  passwordSecret?: string;
  /** The Secret made from the RDS instance, which the app reads. */
  databaseSecret?: string;
}

/**
 * helm's --timeout. With --rollback-on-failure a failed upgrade is rolled
 * back and waited for as long again, so two helm bounds and the margin
 * must fit in what is left of the invocation: 900 s leave 420 s for helm.
 */
export function helmTimeoutSeconds(
  release: string,
  requested: number | undefined,
  remainingMs: number
): number {
  const budget = Math.floor((remainingMs / 1000 - limits.marginSeconds) / 2);
  const seconds = Math.min(requested ?? limits.defaultTimeoutSeconds, budget);
  if (seconds < limits.minimumTimeoutSeconds) {
    throw new HelmReleasePendingError(
      release,
      `Only ${Math.floor(remainingMs / 1000)} s are left in this ` +
        'invocation, too few to wait for a release; retry with a fresh one.'
    );
  }

  return seconds;
}

/** The values helm gets: the event's, pointed at the database Secret. */
function releaseValues(request: HelmReleaseRequest): Record<string, unknown> {
  if (!request.database) return request.values;
  const database = (request.values.database ?? {}) as Record<string, unknown>;

  return {
    ...request.values,
    database: { ...database, existingSecret: request.database.secretName },
  };
}

const inProgress =
  /another operation \(install\/upgrade\/rollback\) is in progress/;

/**
 * Repairs a release left pending by an attempt that was cut off (a Lambda
 * timeout kills helm mid-operation): a first install is removed, an upgrade
 * or rollback is rolled back to the last good revision.
 */
async function recoverPending(session: Session): Promise<void> {
  const { release } = session.request;
  const wait = ['--wait=watcher', '--timeout', `${session.timeoutSeconds}s`];
  const status = await helm(session, 'status', [release, '--output', 'json']);
  if (status.code !== 0) {
    if (/not found/.test(status.stderr)) return;
    throw failure(session, 'status', status.stderr, status.code);
  }

  const state = (JSON.parse(status.stdout) as { info?: { status?: string } })
    .info?.status;
  if (!state?.startsWith('pending-')) return;

  logger.warn('helm release left pending', { release, state });
  const repair =
    state === 'pending-install'
      ? await helm(session, 'uninstall', [release, ...wait])
      : await helm(session, 'rollback', [release, ...wait]);

  if (repair.code !== 0) {
    if (inProgress.test(repair.stderr)) {
      throw new HelmReleasePendingError(
        release,
        `The release ${release} is ${state} and another helm operation ` +
          'still holds it; retry once that one has ended.'
      );
    }
    throw failure(
      session,
      state === 'pending-install' ? 'uninstall' : 'rollback',
      repair.stderr,
      repair.code
    );
  }

  logger.info('helm release repaired', { release, state });
}

async function install(session: Session): Promise<HelmReleaseResult> {
  const { request, scratch } = session;
  await recoverPending(session);

  if (request.database) await applyDatabaseSecret(session, request.database);

  // Values go through a file: on the command line they would show in the
  // process list, and they may hold secrets.
  const valuesPath = join(scratch, 'values.json');
  await writeFile(valuesPath, JSON.stringify(releaseValues(request)), {
    mode: 0o600,
  });

  const upgrade = await helm(session, 'upgrade', [
    request.release,
    join(paths().charts, request.chart),
    '--install',
    '--create-namespace',
    '--wait=watcher',
    // Helm 4's name for Helm 3's --atomic.
    '--rollback-on-failure',
    '--timeout',
    `${session.timeoutSeconds}s`,
    '--values',
    valuesPath,
    '--output',
    'json',
  ]);

  if (upgrade.code !== 0) {
    if (inProgress.test(upgrade.stderr)) {
      throw new HelmReleasePendingError(
        request.release,
        `Another helm operation holds the release ${request.release}; ` +
          'retry once it has ended.'
      );
    }
    throw failure(session, 'upgrade', upgrade.stderr, upgrade.code);
  }

  const released = JSON.parse(upgrade.stdout) as {
    version?: number;
    info?: { status?: string };
  };

  const reach =
    request.chart === 'django-app'
      ? await serviceAddress(session)
      : grafanaAccess(request);

  const result: HelmReleaseResult = {
    action: 'install',
    release: request.release,
    namespace: request.namespace,
    chart: request.chart,
    status: released.info?.status ?? 'unknown',
    revision: released.version,
    ...reach,
    ...(request.database && { databaseSecret: request.database.secretName }),
  };
  logger.info('helm release installed', { ...result });

  return result;
}

async function uninstall(session: Session): Promise<HelmReleaseResult> {
  const { request } = session;
  const removed = await helm(session, 'uninstall', [
    request.release,
    '--wait=watcher',
    '--timeout',
    `${session.timeoutSeconds}s`,
    '--ignore-not-found',
  ]);

  if (removed.code !== 0) {
    throw failure(session, 'uninstall', removed.stderr, removed.code);
  }

  logger.info('helm release uninstalled', { release: request.release });
  if (request.database) await deleteDatabaseSecret(session, request.database);

  return {
    action: 'uninstall',
    release: request.release,
    namespace: request.namespace,
    chart: request.chart,
    status: 'uninstalled',
  };
}

async function releaseWithHelm(
  event: HelmReleaseEvent,
  remainingMs: number
): Promise<HelmReleaseResult> {
  const request = parseEvent(event);
  const timeoutSeconds = helmTimeoutSeconds(
    request.release,
    request.timeoutSeconds,
    remainingMs
  );

  const scratch = await mkdtemp(join(tmpdir(), 'helm-release-'));
  try {
    const kubeconfigPath = await writeKubeconfig(request.clusterName, scratch);
    const session = { request, scratch, kubeconfigPath, timeoutSeconds };

    return request.action === 'install'
      ? await install(session)
      : await uninstall(session);
  } finally {
    // The token and the values leave with the folder, also on failure.
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Installs, upgrades or removes one Helm release of haven's charts on the
 * environment's EKS cluster with the real helm binary of the kubectl layer.
 * A release left pending by an earlier, cut-off attempt is repaired first.
 */
export async function handler(
  event: HelmReleaseEvent,
  context?: Context
): Promise<HelmReleaseResult> {
  const remainingMs =
    context?.getRemainingTimeInMillis() ?? limits.functionTimeoutSeconds * 1000;

  return taskHandler('release with helm', (e: HelmReleaseEvent) =>
    releaseWithHelm(e, remainingMs)
  )(event, context);
}
