import { type FieldProblem, HavenError } from './errors';

/**
 * Errors an API route answers with. Each carries its HTTP status; the
 * message is meant for the caller and never holds another team's data.
 */
export class HttpError extends HavenError {
  readonly statusCode: number;

  constructor(statusCode: number, message: string) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
  }
}

/** 400: the body or a parameter is wrong; each problem names its field. */
export class BadRequestError extends HttpError {
  readonly problems: FieldProblem[];

  constructor(problems: FieldProblem[]) {
    const list = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
    super(400, `The request is invalid. ${list}`);
    this.name = 'BadRequestError';
    this.problems = problems;
  }
}

/** 403: the request carries no IAM identity haven can own things by. */
export class ForbiddenError extends HttpError {
  constructor(message: string) {
    super(403, message);
    this.name = 'ForbiddenError';
  }
}

/**
 * 404: no such environment, or one the caller may not see. The two read
 * the same, so no route tells a team what another team has.
 */
export class NotFoundError extends HttpError {
  constructor(name: string) {
    super(404, `There is no environment named ${name} that you can see.`);
    this.name = 'NotFoundError';
  }
}

/** 409: the name is taken, or another request for it is under way. */
export class ConflictError extends HttpError {
  constructor(message: string) {
    super(409, message);
    this.name = 'ConflictError';
  }
}

/** 413: the body is larger than any valid request. */
export class PayloadTooLargeError extends HttpError {
  constructor(limitBytes: number) {
    super(413, `The body is larger than ${limitBytes} bytes.`);
    this.name = 'PayloadTooLargeError';
  }
}

/** 503: a service haven depends on refused to start the work. */
export class NotStartedError extends HttpError {
  constructor(message: string, options?: ErrorOptions) {
    super(503, message);
    this.name = 'NotStartedError';
    if (options?.cause) this.cause = options.cause;
  }
}
