import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { sdkSettings, traced } from '../shared/clients';
import { eksToken } from '../shared/eks-token';
import { kubeconfig } from '../shared/kubeconfig';
import {
  ClusterNotActiveError,
  ClusterNotFoundError,
  HelmReleaseFailedError,
} from './errors';
import type { HelmReleaseRequest } from './event';
import { childEnv, runCommand } from './run';

const eks = traced(new EKSClient(sdkSettings));

/**
 * Where the kubectl layer puts helm, kubectl and haven's charts; the
 * variables point elsewhere for runs outside Lambda.
 */
export const paths = () => ({
  helm: process.env.HELM_PATH ?? '/opt/helm/helm',
  kubectl: process.env.KUBECTL_PATH ?? '/opt/kubectl/kubectl',
  charts: process.env.CHARTS_DIR ?? '/opt/templates/charts',
});

/** One helm or kubectl call of the invocation, with its shared settings. */
export interface Session {
  request: HelmReleaseRequest;
  scratch: string;
  kubeconfigPath: string;
  timeoutSeconds: number;
}

async function describeCluster(clusterName: string) {
  try {
    const { cluster } = await eks.send(
      new DescribeClusterCommand({ name: clusterName })
    );

    return cluster;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') {
      throw new ClusterNotFoundError(clusterName, { cause: error });
    }
    throw error;
  }
}

/**
 * Writes a kubeconfig for the cluster into `scratch`, with a fresh token,
 * and returns its path. The cluster must be ACTIVE.
 */
export async function writeKubeconfig(clusterName: string, scratch: string) {
  const cluster = await describeCluster(clusterName);
  const status = cluster?.status ?? 'missing';
  const endpoint = cluster?.endpoint;
  const certificateAuthority = cluster?.certificateAuthority?.data;
  if (status !== 'ACTIVE' || !endpoint || !certificateAuthority) {
    throw new ClusterNotActiveError(clusterName, status);
  }

  const token = await eksToken({
    clusterName,
    region: await eks.config.region(),
    credentials: await eks.config.credentials(),
  });

  const path = join(scratch, 'kubeconfig');
  // Owner-only: the file holds a bearer token for the cluster.
  await writeFile(
    path,
    kubeconfig({ clusterName, endpoint, certificateAuthority, token }),
    { mode: 0o600 }
  );

  return path;
}

/** Runs one helm command on the session's release namespace and cluster. */
export async function helm(session: Session, command: string, args: string[]) {
  const env = childEnv(session.scratch, {});
  const all = [
    command,
    ...args,
    '--namespace',
    session.request.namespace,
    '--kubeconfig',
    session.kubeconfigPath,
  ];
  // helm's own --timeout bounds each wait; this only ends a hung process.
  const killAfterMs = (2 * session.timeoutSeconds + 30) * 1000;

  return runCommand(paths().helm, all, env, killAfterMs);
}

/** The error for a failed helm command, with the end of what it printed. */
export function failure(
  session: Session,
  command: string,
  stderr: string,
  code: number | null
) {
  const detail = stderr.trim().split('\n').slice(-5).join(' ').slice(-800);

  return new HelmReleaseFailedError(
    session.request.release,
    command,
    code,
    detail
  );
}
