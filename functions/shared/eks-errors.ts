import { HavenError } from './errors';

/**
 * Errors about an EKS cluster, shared by the functions that reach one (the
 * Helm release function and PrepareClusterFunction). Their names are what
 * the state machine's Retry and Catch lists match.
 */

/**
 * The EKS cluster is not ACTIVE, so there is no API to call yet. Retryable:
 * a cluster being created or updated becomes ACTIVE by itself.
 */
export class ClusterNotActiveError extends HavenError {
  readonly clusterName: string;
  readonly status: string;

  constructor(clusterName: string, status: string) {
    super(
      `The EKS cluster ${clusterName} is ${status}, not ACTIVE: nothing can ` +
        'be installed into it yet.'
    );
    this.name = 'ClusterNotActiveError';
    this.clusterName = clusterName;
    this.status = status;
  }
}

/** No EKS cluster of that name exists in this account and Region. */
export class ClusterNotFoundError extends HavenError {
  readonly clusterName: string;

  constructor(clusterName: string, options?: ErrorOptions) {
    super(
      `There is no EKS cluster named ${clusterName} in this account and ` +
        'Region: check the name in the request.',
      options
    );
    this.name = 'ClusterNotFoundError';
    this.clusterName = clusterName;
  }
}

/**
 * haven cannot be let into the cluster through the EKS API: the cluster
 * accepts only the aws-auth ConfigMap, or the Helm role already has an
 * access entry of another type. The cluster's owners must change it; a
 * retry changes nothing.
 */
export class ClusterAccessError extends HavenError {
  readonly clusterName: string;

  constructor(clusterName: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ClusterAccessError';
    this.clusterName = clusterName;
  }
}
