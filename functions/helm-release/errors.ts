import { HavenError } from '../shared/errors';

/**
 * Errors of the Helm release function. Their names are what the state
 * machine's Retry and Catch lists match.
 */

/** The EKS cluster is not ACTIVE, so there is no API to install into. */
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

/**
 * The release is held by an operation that has not finished: another
 * attempt may still be running, or the one before was cut off and its
 * state has just been repaired. Retrying later is safe.
 */
export class HelmReleasePendingError extends HavenError {
  readonly release: string;

  constructor(release: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HelmReleasePendingError';
    this.release = release;
  }
}

/** helm failed; the release was rolled back (or removed, if it was new). */
export class HelmReleaseFailedError extends HavenError {
  readonly release: string;
  readonly helmCommand: string;
  readonly exitCode: number | null;

  constructor(
    release: string,
    helmCommand: string,
    exitCode: number | null,
    detail: string
  ) {
    super(
      `helm ${helmCommand} of the release ${release} failed (exit ` +
        `${exitCode ?? 'signal'}): ${detail}`
    );
    this.name = 'HelmReleaseFailedError';
    this.release = release;
    this.helmCommand = helmCommand;
    this.exitCode = exitCode;
  }
}
