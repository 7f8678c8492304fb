import { HavenError } from '../shared/errors';

/**
 * Errors of the Helm release function. Their names are what the state
 * machine's Retry and Catch lists match.
 */

// The cluster errors are shared with PrepareClusterFunction.
export {
  ClusterNotActiveError,
  ClusterNotFoundError,
} from '../shared/eks-errors';

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

/**
 * The app's database Secret could not be made: the instance or its
 * RDS-managed secret is missing, or holds no user name and password.
 * Retrying does not help until the data tier is fixed.
 */
export class DatabaseSecretError extends HavenError {
  readonly dbInstanceIdentifier: string;

  constructor(
    dbInstanceIdentifier: string,
    message: string,
    options?: ErrorOptions
  ) {
    super(message, options);
    this.name = 'DatabaseSecretError';
    this.dbInstanceIdentifier = dbInstanceIdentifier;
  }
}

/** kubectl apply of a manifest failed; the detail is kubectl's message. */
export class KubectlApplyFailedError extends HavenError {
  readonly kind: string;
  readonly resourceName: string;
  readonly exitCode: number | null;

  constructor(
    kind: string,
    resourceName: string,
    exitCode: number | null,
    detail: string
  ) {
    super(
      `kubectl apply of the ${kind} ${resourceName} failed (exit ` +
        `${exitCode ?? 'signal'}): ${detail}`
    );
    this.name = 'KubectlApplyFailedError';
    this.kind = kind;
    this.resourceName = resourceName;
    this.exitCode = exitCode;
  }
}
