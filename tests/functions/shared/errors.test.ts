import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ClusterNotActiveError,
  DatabaseSecretError,
  HelmReleaseFailedError,
  HelmReleasePendingError,
  KubectlApplyFailedError,
} from '../../../functions/helm-release/errors';
import { NotificationError } from '../../../functions/notify/handler';
import {
  ClusterAccessError,
  ClusterNotFoundError,
} from '../../../functions/shared/eks-errors';
import {
  CloudFormationBusyError,
  DatabaseFailedError,
  DatabaseNotReadyError,
  HavenError,
  RequestValidationError,
  StackBusyError,
  StackDeleteFailedError,
  StackFailedError,
  StackReplacementPendingError,
  StackTimeoutError,
  TargetsNotHealthyError,
} from '../../../functions/shared/errors';

const errorClasses = [
  StackFailedError,
  StackTimeoutError,
  StackReplacementPendingError,
  StackBusyError,
  StackDeleteFailedError,
  DatabaseFailedError,
  DatabaseNotReadyError,
  TargetsNotHealthyError,
  NotificationError,
  CloudFormationBusyError,
];

describe('errors', () => {
  it.each(errorClasses.map((type) => [type.name, type] as const))(
    '%s carries its class name as its name and is a HavenError',
    (name, type) => {
      // Act
      const error = new type('what happened');

      // Assess
      expect(error).toBeInstanceOf(HavenError);
      expect({ name: error.name, message: error.message }).toEqual({
        name,
        message: 'what happened',
      });
    }
  );

  it('lists every problem of a rejected request in its message', () => {
    // Prepare
    const problems = [
      { field: 'name', message: 'is required' },
      { field: 'sizes.maxSize', message: 'is too big' },
    ];

    // Act
    const error = new RequestValidationError(problems);

    // Assess
    expect(error.name).toBe('RequestValidationError');
    expect(error.problems).toEqual(problems);
    expect(error.message).toBe(
      'The request is invalid. name: is required; sizes.maxSize: is too big'
    );
  });

  it('names in the state machine only errors that the functions raise', () => {
    // Prepare
    const definition = readFileSync(
      join(__dirname, '..', '..', '..', 'statemachines', 'provision.asl.yaml'),
      'utf8'
    );
    const known = [
      ...errorClasses.map((type) => type.name),
      'RequestValidationError',
      ClusterNotActiveError.name,
      ClusterNotFoundError.name,
      ClusterAccessError.name,
      HelmReleasePendingError.name,
      HelmReleaseFailedError.name,
      DatabaseSecretError.name,
      KubectlApplyFailedError.name,
    ];

    // Act
    const named = [...definition.matchAll(/\b([A-Z][A-Za-z]+Error)\b/g)].map(
      (match) => match[1]
    );

    // Assess
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((name) => !known.includes(name))).toEqual([]);
  });
});
