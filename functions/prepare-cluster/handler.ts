import {
  AssociateAccessPolicyCommand,
  type Cluster,
  CreateAccessEntryCommand,
  DescribeAccessEntryCommand,
  DescribeClusterCommand,
  EKSClient,
  ListAssociatedAccessPoliciesCommand,
} from '@aws-sdk/client-eks';
import { z } from 'zod';
import { sdkSettings, traced } from '../shared/clients';
import {
  ClusterAccessError,
  ClusterNotActiveError,
  ClusterNotFoundError,
} from '../shared/eks-errors';
import { RequestValidationError } from '../shared/errors';
import { type TaskEvent, taskHandler } from '../shared/handler';
import { logger } from '../shared/logger';

const eks = traced(new EKSClient(sdkSettings));

/**
 * Cluster admin, at cluster scope, as templates/eks.yaml gives the Helm
 * function on the clusters haven creates: the function creates the
 * release namespaces and, for Prometheus, Roles in the app's namespace,
 * and Kubernetes lets a principal grant only rights it holds itself.
 */
export const clusterAdminPolicy = 'AmazonEKSClusterAdminPolicy';

/**
 * Kubernetes minor versions the Helm function's kubectl (1.35, from the
 * layer) is supported against: one minor version either side.
 */
export const kubectlSkew = { oldest: 34, newest: 36 } as const;

const eventSchema = z.strictObject({
  clusterName: z.string().regex(/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/, {
    error: 'must be an EKS cluster name',
  }),
  correlation: z
    .object({ environment: z.string(), executionId: z.string() })
    .optional(),
});

/** What the state machine asks: an existing cluster the request names. */
export interface PrepareClusterEvent extends TaskEvent {
  clusterName: string;
}

/** The cluster as the Helm function will find it. */
export interface PrepareClusterResult {
  clusterName: string;
  /** Always ACTIVE: any other status throws. */
  status: string;
  /** Kubernetes minor version, such as 1.35. */
  version: string;
  /** The API server's https URL. */
  endpoint: string;
}

function parseEvent(event: unknown): PrepareClusterEvent {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) {
    throw new RequestValidationError(
      parsed.error.issues.map((issue) => ({
        field: issue.path.join('.') || '(event)',
        message: issue.message,
      }))
    );
  }

  return parsed.data;
}

function helmRoleArn(): string {
  const arn = process.env.HELM_ROLE_ARN;
  if (!arn) throw new Error('HELM_ROLE_ARN is not set');

  return arn;
}

async function activeCluster(clusterName: string): Promise<Cluster> {
  let cluster: Cluster | undefined;
  try {
    ({ cluster } = await eks.send(
      new DescribeClusterCommand({ name: clusterName })
    ));
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') {
      throw new ClusterNotFoundError(clusterName, { cause: error });
    }
    throw error;
  }
  const status = cluster?.status ?? 'missing';
  if (!cluster || status !== 'ACTIVE' || !cluster.endpoint) {
    throw new ClusterNotActiveError(clusterName, status);
  }
  // Access entries exist only in the API modes; a cluster that knows only
  // the aws-auth ConfigMap must be switched by its owners (the switch to
  // API_AND_CONFIG_MAP keeps every existing mapping working).
  if (cluster.accessConfig?.authenticationMode === 'CONFIG_MAP') {
    throw new ClusterAccessError(
      clusterName,
      `The EKS cluster ${clusterName} authenticates through the aws-auth ` +
        'ConfigMap only, so haven cannot give itself access. Its owners ' +
        'can switch it to API_AND_CONFIG_MAP, then run the request again.'
    );
  }

  return cluster;
}

/**
 * Creates the Helm role's access entry; an entry that is already there is
 * kept when it is of the STANDARD type, which access policies need.
 */
async function ensureAccessEntry(clusterName: string, principalArn: string) {
  try {
    await eks.send(
      new CreateAccessEntryCommand({
        clusterName,
        principalArn,
        type: 'STANDARD',
        tags: { 'haven:managed-by': 'haven' },
      })
    );
    logger.info('access entry created', { clusterName, principalArn });

    return;
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException') throw error;
  }
  const { accessEntry } = await eks.send(
    new DescribeAccessEntryCommand({ clusterName, principalArn })
  );
  if (accessEntry?.type !== 'STANDARD') {
    throw new ClusterAccessError(
      clusterName,
      `The EKS cluster ${clusterName} has an access entry of type ` +
        `${accessEntry?.type ?? 'unknown'} for ${principalArn}; haven ` +
        'needs a STANDARD one. Its owners can delete that entry, then run ' +
        'the request again.'
    );
  }
  logger.info('access entry found', { clusterName, principalArn });
}

async function hasClusterAdmin(
  clusterName: string,
  principalArn: string,
  policyArn: string
): Promise<boolean> {
  let nextToken: string | undefined;
  do {
    const page = await eks.send(
      new ListAssociatedAccessPoliciesCommand({
        clusterName,
        principalArn,
        nextToken,
      })
    );
    const found = page.associatedAccessPolicies?.some(
      (p) => p.policyArn === policyArn && p.accessScope?.type === 'cluster'
    );
    if (found) return true;
    nextToken = page.nextToken;
  } while (nextToken);

  return false;
}

async function ensureClusterAdmin(
  clusterName: string,
  principalArn: string,
  partition: string
) {
  const policyArn = `arn:${partition}:eks::aws:cluster-access-policy/${clusterAdminPolicy}`;
  if (await hasClusterAdmin(clusterName, principalArn, policyArn)) return;
  await eks.send(
    new AssociateAccessPolicyCommand({
      clusterName,
      principalArn,
      policyArn,
      accessScope: { type: 'cluster' },
    })
  );
  logger.info('access policy associated', { clusterName, policyArn });
}

async function prepareCluster(
  event: PrepareClusterEvent
): Promise<PrepareClusterResult> {
  const { clusterName } = parseEvent(event);
  const principalArn = helmRoleArn();
  const cluster = await activeCluster(clusterName);
  const partition = cluster.arn?.split(':')[1] ?? 'aws';
  await ensureAccessEntry(clusterName, principalArn);
  await ensureClusterAdmin(clusterName, principalArn, partition);
  const result = {
    clusterName,
    status: cluster.status ?? 'ACTIVE',
    version: cluster.version ?? 'unknown',
    endpoint: cluster.endpoint ?? '',
  };
  const minor = Number(result.version.split('.')[1]);
  if (!(minor >= kubectlSkew.oldest && minor <= kubectlSkew.newest)) {
    // helm itself spans more versions; kubectl's reads may still work.
    logger.warn('cluster version outside kubectl support', {
      clusterName,
      version: result.version,
    });
  }
  logger.info('cluster prepared', { ...result });

  return result;
}

/**
 * Readies a cluster the request names (one haven did not create) for the
 * Helm function: checks that it is ACTIVE, and gives the function's role
 * an access entry with cluster admin through the EKS API. Running it again
 * changes nothing.
 */
export const handler = taskHandler('prepare the cluster', prepareCluster);
