/**
 * Typed errors of haven's functions. Each class sets `name`, which is what
 * Step Functions reports as the error of a failed Task and what the state
 * machine's Retry and Catch lists match: keep the names and the ASL in step.
 */

/** Base of every error haven raises on purpose. */
export class HavenError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HavenError';
  }
}

/** One field of a request that failed validation, and why. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** The request does not describe an environment haven can build. */
export class RequestValidationError extends HavenError {
  readonly problems: FieldProblem[];

  constructor(problems: FieldProblem[]) {
    const list = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
    super(`The request is invalid. ${list}`);
    this.name = 'RequestValidationError';
    this.problems = problems;
  }
}

/** A stack of the environment failed to create. */
export class StackFailedError extends HavenError {
  constructor(message: string) {
    super(message);
    this.name = 'StackFailedError';
  }
}

/** A stack did not finish within the bound of its wait. */
export class StackTimeoutError extends HavenError {
  constructor(message: string) {
    super(message);
    this.name = 'StackTimeoutError';
  }
}

/**
 * A stack left by an earlier attempt is being deleted before it is created
 * again. The state machine retries the Task until the old stack is gone.
 */
export class StackReplacementPendingError extends HavenError {
  constructor(message: string) {
    super(message);
    this.name = 'StackReplacementPendingError';
  }
}

/** A stack is in a state haven does not change, such as an update. */
export class StackBusyError extends HavenError {
  constructor(message: string) {
    super(message);
    this.name = 'StackBusyError';
  }
}

/** A stack could not be deleted; the resources named are still there. */
export class StackDeleteFailedError extends HavenError {
  constructor(message: string) {
    super(message);
    this.name = 'StackDeleteFailedError';
  }
}

/** The database ended in a state it does not recover from by itself. */
export class DatabaseFailedError extends HavenError {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseFailedError';
  }
}

/** The database was not available with a standby in time. */
export class DatabaseNotReadyError extends HavenError {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseNotReadyError';
  }
}

/** The load balancer did not report enough healthy targets in time. */
export class TargetsNotHealthyError extends HavenError {
  constructor(message: string) {
    super(message);
    this.name = 'TargetsNotHealthyError';
  }
}

/** A bucket kept objects that could not be deleted. */
export class BucketNotEmptiedError extends HavenError {
  constructor(message: string) {
    super(message);
    this.name = 'BucketNotEmptiedError';
  }
}

/**
 * haven's CloudFormation calls are at their rate: every turn within the
 * wait a call may take is booked. The state machine tries the step again.
 */
export class CloudFormationBusyError extends HavenError {
  constructor(message: string) {
    super(message);
    this.name = 'CloudFormationBusyError';
  }
}
