import {
  ClusterNotActiveError,
  HelmReleaseFailedError,
  HelmReleasePendingError,
} from '../../../functions/helm-release/errors';
import { HavenError } from '../../../functions/shared/errors';

describe('helm-release errors', () => {
  it('says which cluster is not active and in what status', () => {
    // Act
    const error = new ClusterNotActiveError('haven-demo', 'CREATING');

    // Assess
    expect(error).toBeInstanceOf(HavenError);
    expect(error).toMatchObject({
      name: 'ClusterNotActiveError',
      clusterName: 'haven-demo',
      status: 'CREATING',
      message:
        'The EKS cluster haven-demo is CREATING, not ACTIVE: nothing can be ' +
        'installed into it yet.',
    });
  });

  it('keeps the cause of a pending release', () => {
    // Prepare
    const cause = new Error('another operation is in progress');

    // Act
    const error = new HelmReleasePendingError('app', 'release busy', {
      cause,
    });

    // Assess
    expect(error).toMatchObject({
      name: 'HelmReleasePendingError',
      release: 'app',
      message: 'release busy',
      cause,
    });
  });

  it.each([
    [1, 'exit 1'],
    [null, 'exit signal'],
  ])('names exit code %p of a failed helm command', (code, text) => {
    // Act
    const error = new HelmReleaseFailedError('app', 'upgrade', code, 'boom');

    // Assess
    expect(error).toMatchObject({
      name: 'HelmReleaseFailedError',
      helmCommand: 'upgrade',
      exitCode: code,
      message: `helm upgrade of the release app failed (${text}): boom`,
    });
  });
});
