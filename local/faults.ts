import type { AwsCall } from './aws-call';
import { errorResponse, throttlingResponse } from './aws-errors';
import type { FaultRule } from './fault-proxy';

/**
 * Faults as tests and benchmarks ask for them, built from the proxy's
 * general rules. Each builder returns the rules of one fault; rules that
 * read CloudFormation answers assume one stack per DescribeStacks answer,
 * which is how haven's handlers call it (always with a StackName).
 */

/** A resource of a stack, as a fault reports it failed. */
export interface FailedResource {
  logicalId: string;
  type: string;
  reason: string;
}

const creating = ['CREATE_IN_PROGRESS', 'CREATE_COMPLETE'];
const completeStatuses = ['CREATE_COMPLETE', 'UPDATE_COMPLETE'];

function isCall(call: AwsCall, service: string, operation: string) {
  return call.service === service && call.operation === operation;
}

/** Whether a StackName parameter (a name or an ARN) names the stack. */
function namesStack(value: string | undefined, stackName: string) {
  return value === stackName || (value ?? '').includes(`:stack/${stackName}/`);
}

function statusOf(body: string): string | undefined {
  return body.match(/<StackStatus>([A-Z_]+)<\/StackStatus>/)?.[1];
}

/**
 * A DescribeStacks answer rewritten to report `status` (and a reason);
 * only a complete stack keeps its outputs.
 */
export function withStatus(
  body: string,
  status: string,
  reason?: string
): string {
  const reasonXml = reason
    ? `<StackStatusReason>${reason}</StackStatusReason>`
    : '';
  const replaced = body
    .replace(/<StackStatusReason>[^<]*<\/StackStatusReason>/, '')
    .replace(
      /<StackStatus>[A-Z_]+<\/StackStatus>/,
      `<StackStatus>${status}</StackStatus>${reasonXml}`
    );
  // Only a complete stack has outputs to read.
  if (completeStatuses.includes(status)) return replaced;

  return replaced.replace(/<Outputs>[\s\S]*?<\/Outputs>/, '');
}

interface StatusOptions {
  /** Only the stack with this id, not a later one of the same name. */
  stackId?: string;
  /** Statuses the emulator reports that the rule replaces. */
  from?: string[];
  reason?: string;
  times?: number;
  forMs?: number;
}

/** DescribeStacks reports the stack in `status` instead of its own. */
export function stackReports(
  stackName: string,
  status: string,
  options: StatusOptions = {}
): FaultRule[] {
  const from = options.from ?? creating;

  return [
    {
      description: `${stackName} reports ${status}`,
      when: (call) =>
        isCall(call, 'cloudformation', 'DescribeStacks') &&
        namesStack(call.params.StackName, stackName),
      times: options.times,
      forMs: options.forMs,
      action: {
        type: 'rewrite',
        rewrite: (body) => {
          const real = statusOf(body);
          if (!real || !from.includes(real)) return undefined;
          if (options.stackId && !body.includes(options.stackId)) {
            return undefined;
          }

          return withStatus(body, status, options.reason);
        },
      },
    },
  ];
}

/** The stack stays CREATE_IN_PROGRESS for this many looks, or this long. */
export function stackStaysInProgress(
  stackName: string,
  bound: { polls?: number; ms?: number }
): FaultRule[] {
  return stackReports(stackName, 'CREATE_IN_PROGRESS', {
    times: bound.polls,
    forMs: bound.ms,
  });
}

function stackEvent(
  stackName: string,
  logicalId: string,
  type: string,
  status: string,
  reason: string
): string {
  return (
    `<member><StackName>${stackName}</StackName>` +
    `<EventId>fault-${logicalId}-${status}</EventId>` +
    `<LogicalResourceId>${logicalId}</LogicalResourceId>` +
    `<ResourceType>${type}</ResourceType>` +
    '<Timestamp>2026-01-01T00:00:00Z</Timestamp>' +
    `<ResourceStatus>${status}</ResourceStatus>` +
    `<ResourceStatusReason>${reason}</ResourceStatusReason></member>`
  );
}

/**
 * The stack ends in CREATE_FAILED or ROLLBACK_COMPLETE, and its events
 * name the resources that failed with their reasons, newest first as
 * CloudFormation lists them. Once deleted, it reports its real status.
 */
export function stackFails(
  stackName: string,
  status: 'CREATE_FAILED' | 'ROLLBACK_COMPLETE',
  failed: FailedResource[]
): FaultRule[] {
  const reason =
    status === 'ROLLBACK_COMPLETE'
      ? 'The following resource(s) failed to create: ' +
        `[${failed.map((f) => f.logicalId).join(', ')}]. Rollback requested ` +
        'by user.'
      : `The following resource(s) failed to create: ` +
        `[${failed.map((f) => f.logicalId).join(', ')}].`;
  const stackType = 'AWS::CloudFormation::Stack';
  const events = [
    stackEvent(stackName, stackName, stackType, status, reason),
    ...[...failed]
      .reverse()
      .map((f) =>
        stackEvent(stackName, f.logicalId, f.type, 'CREATE_FAILED', f.reason)
      ),
  ].join('');

  return [
    ...stackReports(stackName, status, { reason }),
    {
      description: `${stackName} lists the failed resources`,
      when: (call) =>
        isCall(call, 'cloudformation', 'DescribeStackEvents') &&
        namesStack(call.params.StackName, stackName),
      action: {
        type: 'rewrite',
        rewrite: (body) => body.replace('<StackEvents>', `$&${events}`),
      },
    },
  ];
}

/**
 * DeleteStack of the stack is accepted but deletes nothing: the stack then
 * reports DELETE_FAILED, and the resources named report why they stayed.
 * With `tries`, only that many DeleteStack calls fail; the next one reaches
 * the emulator, which deletes the stack, and the stack reports its real
 * status from then on.
 */
export function deleteFails(
  stackName: string,
  stuck: FailedResource[],
  options: { tries?: number } = {}
): FaultRule[] {
  const tries = options.tries ?? Number.POSITIVE_INFINITY;
  let deletes = 0;
  let failing = false;
  const reason =
    'The following resource(s) failed to delete: ' +
    `[${stuck.map((r) => r.logicalId).join(', ')}].`;
  const byId = new Map(stuck.map((r) => [r.logicalId, r]));

  return [
    {
      description: `${stackName} accepts DeleteStack and keeps everything`,
      when: (call) => {
        if (
          !isCall(call, 'cloudformation', 'DeleteStack') ||
          !namesStack(call.params.StackName, stackName)
        ) {
          return false;
        }
        deletes += 1;
        // A DeleteStack past the failing tries goes through: the stack
        // reports what the emulator says again.
        failing = deletes <= tries;

        return failing;
      },
      action: {
        type: 'respond',
        respond: () => {
          return {
            status: 200,
            headers: { 'content-type': 'text/xml' },
            body:
              '<DeleteStackResponse><ResponseMetadata><RequestId>' +
              'fault</RequestId></ResponseMetadata></DeleteStackResponse>',
          };
        },
      },
    },
    {
      description: `${stackName} reports DELETE_FAILED`,
      when: (call) =>
        failing &&
        isCall(call, 'cloudformation', 'DescribeStacks') &&
        namesStack(call.params.StackName, stackName),
      action: {
        type: 'rewrite',
        rewrite: (body) =>
          statusOf(body)
            ? withStatus(body, 'DELETE_FAILED', reason)
            : undefined,
      },
    },
    {
      description: `${stackName} names the resources it kept`,
      when: (call) =>
        failing &&
        isCall(call, 'cloudformation', 'DescribeStackResources') &&
        namesStack(call.params.StackName, stackName),
      action: {
        type: 'rewrite',
        rewrite: (body) =>
          body.replace(/<member>([\s\S]*?)<\/member>/g, (member: string) => {
            const id = member.match(
              /<LogicalResourceId>([^<]+)<\/LogicalResourceId>/
            )?.[1];
            const kept = id ? byId.get(id) : undefined;
            const status = kept ? 'DELETE_FAILED' : 'DELETE_COMPLETE';
            const why = kept
              ? `<ResourceStatusReason>${kept.reason}</ResourceStatusReason>`
              : '';

            return member.replace(
              /<ResourceStatus>[A-Z_]+<\/ResourceStatus>/,
              `<ResourceStatus>${status}</ResourceStatus>${why}`
            );
          }),
      },
    },
  ];
}

/** RDS reports the database single-AZ, with no standby, for ever. */
export function databaseNeverMultiAz(): FaultRule[] {
  return [
    {
      description: 'the database has no standby',
      when: (call) => isCall(call, 'rds', 'DescribeDBInstances'),
      action: {
        type: 'rewrite',
        rewrite: (body) =>
          body
            .replace(/<MultiAZ>true<\/MultiAZ>/g, '<MultiAZ>false</MultiAZ>')
            .replace(
              /<SecondaryAvailabilityZone>[^<]*<\/SecondaryAvailabilityZone>/g,
              ''
            ),
      },
    },
  ];
}

/** The load balancer reports every target unhealthy, for ever. */
export function targetsNeverHealthy(): FaultRule[] {
  return [
    {
      description: 'every target fails its health checks',
      when: (call) =>
        isCall(call, 'elasticloadbalancing', 'DescribeTargetHealth'),
      action: {
        type: 'rewrite',
        rewrite: (body) =>
          body.replace(
            /<State>healthy<\/State>/g,
            '<State>unhealthy</State><Reason>Target.FailedHealthChecks' +
              '</Reason><Description>Health checks failed</Description>'
          ),
      },
    },
  ];
}

/** Throttles a fraction of the calls to the services named (or all). */
export function throttle(fraction: number, services?: string[]): FaultRule[] {
  return [
    {
      description: `throttled (${Math.round(fraction * 100)} %)`,
      when: (call) => !services || services.includes(call.service),
      chance: fraction,
      action: { type: 'respond', respond: throttlingResponse },
    },
  ];
}

/** One operation answers with an AWS error the SDK does not retry. */
export function callFails(
  service: string,
  operation: string,
  error: { status: number; code: string; message: string },
  times?: number
): FaultRule[] {
  return [
    {
      description: `${service} ${operation} fails with ${error.code}`,
      when: (call) => isCall(call, service, operation),
      times,
      action: {
        type: 'respond',
        respond: (call) =>
          errorResponse(call, error.status, error.code, error.message),
      },
    },
  ];
}

/** An operation answers only after `ms`, after it took effect. */
export function slowAnswer(
  service: string,
  operation: string,
  ms: number,
  times?: number
): FaultRule[] {
  return [
    {
      description: `${service} ${operation} answers after ${ms} ms`,
      when: (call) => isCall(call, service, operation),
      times,
      action: { type: 'delay', ms, phase: 'response' },
    },
  ];
}

/** Closes the connection of an operation's calls without an answer. */
export function dropConnections(
  service: string,
  operation: string,
  times?: number
): FaultRule[] {
  return [
    {
      description: `${service} ${operation} loses its connection`,
      when: (call) => isCall(call, service, operation),
      times,
      action: { type: 'drop' },
    },
  ];
}
