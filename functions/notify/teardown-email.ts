import { type CleanupResult, consoleUrlOf } from '../shared/workflow';
import {
  duration,
  type Email,
  errorMessageOf,
  subjectOf,
  table,
} from './email';

/** What the teardown workflow reports once it has tried every stack. */
export interface TeardownReport {
  environment: string;
  topicArn: string;
  notificationEmail: string;
  /** Whether the request asked to keep the media bucket. */
  retainBucket: boolean;
  /** The media bucket's name. */
  bucket: string;
  /** Each stack's fate, compute first; empty when the teardown stopped. */
  cleanup: (CleanupResult & { retained?: string[] })[];
  executionId: string;
  startTime: string;
}

function stackLines(report: TeardownReport): string[] {
  if (report.cleanup.length === 0) {
    return ['  - the teardown stopped before it reported on any stack'];
  }

  return report.cleanup.map((result) => {
    const kept =
      result.retained && result.retained.length > 0
        ? ` (kept: ${result.retained.join(', ')})`
        : '';
    const why = result.detail ? `: ${errorMessageOf(result.detail)}` : '';

    return `  - ${result.stackName}: ${result.outcome}${kept}${why}`;
  });
}

function isComplete(report: TeardownReport): boolean {
  return (
    report.cleanup.length > 0 &&
    report.cleanup.every((result) => result.outcome === 'deleted')
  );
}

function keptOnPurpose(report: TeardownReport): string[] {
  return [
    'Kept on purpose:',
    '  - the final snapshot of the database, which RDS took before',
    '    deleting it. Delete it in the RDS console once it is not needed.',
    report.retainBucket
      ? `  - the media bucket ${report.bucket}, as the request asked, if it held files.`
      : '  - nothing else: the media bucket was emptied and deleted.',
  ];
}

/**
 * The email that ends a teardown: every stack deleted, or which ones are
 * left and why, and what haven keeps on purpose either way.
 */
export function teardownEmail(report: TeardownReport, now: Date): Email {
  const complete = isComplete(report);
  const details = table([
    ['Total time', duration(report.startTime, now)],
    ['Execution', consoleUrlOf(report.executionId)],
  ]);
  const name = report.environment;

  return {
    subject: subjectOf(
      complete
        ? `haven: environment ${name} is deleted`
        : `haven: environment ${name} could not be deleted completely`
    ),
    body: [
      complete
        ? `Your environment "${name}" is deleted.`
        : `The teardown of your environment "${name}" left resources behind.`,
      '',
      'Stacks, in the order haven deleted them:',
      ...stackLines(report),
      '',
      ...keptOnPurpose(report),
      '',
      details,
      '',
      complete
        ? `The name ${name} is free again.`
        : 'Fix what the stacks above name (the CloudFormation console shows ' +
          'each resource), then send DELETE again: haven retries the stacks ' +
          'that are left.',
    ].join('\n'),
  };
}
