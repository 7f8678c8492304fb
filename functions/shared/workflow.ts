import type { Correlation } from './logger';
import type { EnvironmentRequest } from './request';
import type { Tier } from './tiers';

/** What the state machine knows of its own execution. */
export interface ExecutionInfo {
  id: string;
  name: string;
  startTime: string;
  consoleUrl: string;
}

/** A stack's progress as the create and check steps report it. */
export interface StackProgress {
  tier: Tier;
  stackName: string;
  stackId?: string;
  status: string;
  ready: boolean;
  attempt: number;
  waitSeconds: number;
  outputs?: Record<string, string>;
  /** When deleting: whether the stack had ever been created. */
  outcome?: 'deleted' | 'never created';
}

/** What the Helm function reports of an installed release. */
export interface ReleaseResult {
  status?: string;
  address?: string;
  addressPending?: boolean;
  access?: string;
  passwordSecret?: string;
}

/** What a failed step leaves for the failure path: the Catch's output. */
export interface CaughtError {
  Error: string;
  Cause?: string;
}

/** One stack's fate in the failure path. */
export interface CleanupResult {
  tier: Tier;
  stackName: string;
  outcome: 'deleted' | 'never created' | 'kept' | 'delete failed';
  detail?: string;
}

/** The state of a provisioning execution, as the states pass it on. */
export interface WorkflowState {
  request: EnvironmentRequest;
  execution: ExecutionInfo;
  correlation: Correlation;
  stacks: Record<Exclude<Tier, 'eks'>, string> & { eks?: string };
  teardownOrder: { tier: Tier; stackName: string }[];
  notifications?: { topicArn: string; confirmed: boolean };
  network?: StackProgress;
  data?: StackProgress;
  compute?: StackProgress;
  eks?: StackProgress;
  cluster?: { clusterName: string };
  appRelease?: ReleaseResult;
  monitoringRelease?: ReleaseResult;
  /** The rollback's uninstall on a named cluster: its result or error. */
  appUninstall?: ReleaseResult | CaughtError;
  monitoringUninstall?: ReleaseResult | CaughtError;
  database?: Record<string, unknown>;
  targets?: Record<string, unknown>;
  failure?: { step: string; tier?: Tier };
  error?: CaughtError;
  cleanup?: CleanupResult[];
}

/**
 * The console page of an execution, from its ARN:
 * arn:PARTITION:states:REGION:ACCOUNT:execution:MACHINE:NAME.
 */
export function consoleUrlOf(executionArn: string): string {
  const [, partition = 'aws', , region = 'us-east-1'] = executionArn.split(':');
  const host =
    partition === 'aws-cn'
      ? 'console.amazonaws.cn'
      : partition === 'aws-us-gov'
        ? 'console.amazonaws-us-gov.com'
        : 'console.aws.amazon.com';

  return (
    `https://${region}.${host}/states/home?region=${region}` +
    `#/v2/executions/details/${executionArn}`
  );
}
