import type { EnvironmentRequest } from '../../functions/shared/request';
import type { WorkflowState } from '../../functions/shared/workflow';

/** One line the shared logger wrote, as parsed JSON. */
export type LogLine = Record<string, unknown>;

/**
 * Catches what the shared logger writes for the current test, so the
 * suite's output stays readable and tests can read the lines back. The
 * logger prints JSON lines straight to the process streams.
 */
export function captureLogs(): LogLine[] {
  const lines: LogLine[] = [];
  const keep = (chunk: unknown) => {
    for (const text of String(chunk).split('\n')) {
      if (text.startsWith('{')) lines.push(JSON.parse(text) as LogLine);
    }

    return true;
  };
  jest.spyOn(process.stdout, 'write').mockImplementation(keep);
  jest.spyOn(process.stderr, 'write').mockImplementation(keep);

  return lines;
}

/** An error as the AWS SDK raises it for a service's error code. */
export function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
}

/** A validated request with every default filled in. */
export function aRequest(
  overrides: Partial<EnvironmentRequest> = {}
): EnvironmentRequest {
  return {
    name: 'demo',
    notificationEmail: 'team@example.com',
    owner: 'app-team',
    sizes: {
      instanceType: 't3.small',
      dbInstanceClass: 'db.t3.small',
      dbAllocatedStorage: 50,
      minSize: 2,
      desiredCapacity: 2,
      maxSize: 4,
    },
    app: {
      repository: 'https://git.example.com/team/app.git',
      ref: 'release-1',
      directory: 'src/app',
    },
    singleNatGateway: true,
    production: false,
    rollbackOnFailure: true,
    tags: { 'cost-center': 'c42' },
    ...overrides,
  };
}

export const executionArn =
  'arn:aws:states:eu-west-1:123456789012:execution:haven-provision:run-1';

/** The state of an execution that reached the end of its happy path. */
export function aWorkflowState(
  overrides: Partial<WorkflowState> = {}
): WorkflowState {
  return {
    request: aRequest(),
    execution: {
      id: executionArn,
      name: 'run-1',
      startTime: '2024-05-01T10:00:00.000Z',
      consoleUrl: 'https://console.example/executions/run-1',
    },
    correlation: { environment: 'demo', executionId: executionArn },
    stacks: {
      network: 'haven-demo-network',
      data: 'haven-demo-data',
      compute: 'haven-demo-compute',
    },
    teardownOrder: [
      { tier: 'compute', stackName: 'haven-demo-compute' },
      { tier: 'data', stackName: 'haven-demo-data' },
      { tier: 'network', stackName: 'haven-demo-network' },
    ],
    notifications: {
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:haven-demo-notifications',
      confirmed: true,
    },
    ...overrides,
  };
}
