import { join } from 'node:path';
import { repoRoot } from './emulator';
import { openMailbox, type PublishedEmail } from './mailbox';
import { ensureTables } from './resources';
import { type EventLog, type LocalExecution, runLocally } from './workflow';

/**
 * What template.yaml's own resources are called in a local run. The
 * emulator does not enforce IAM, so the role and the boundary need not
 * exist there; their ARNs have the shape they have in AWS.
 */
export const localResources = {
  CloudFormationServiceRole:
    'arn:aws:iam::123456789012:role/haven-CloudFormationServiceRole',
  EnvironmentPermissionsBoundary:
    'arn:aws:iam::123456789012:policy/haven-EnvironmentPermissionsBoundary',
  EksPermissionsBoundary:
    'arn:aws:iam::123456789012:policy/haven-EksPermissionsBoundary',
  HelmReleaseRole: 'arn:aws:iam::123456789012:role/haven-HelmReleaseRole',
} as const;

export interface LocalProvisioning {
  execution: LocalExecution;
  emails: PublishedEmail[];
}

export interface ProvisionOptions {
  request: unknown;
  executionName?: string;
  /**
   * Variables to set over those template.yaml gives, for what differs on
   * this machine only, such as where the helm binary is.
   */
  environment?: Record<string, string>;
  /** Values for template.yaml's parameters, as a platform team sets them. */
  parameters?: Record<string, string>;
  onEvent?: (event: EventLog) => void;
  onInvoke?: (state: string, event: unknown) => void;
  logSink?: (text: string) => void;
  /** Lambda's timeout for the local run; see LocalRunOptions. */
  timeoutMs?: number;
}

function nameOf(request: unknown): string {
  const name = (request as { name?: unknown } | null)?.name;

  return typeof name === 'string' ? name : 'unnamed';
}

/**
 * Provisions an environment on the emulator the AWS SDK points at, running
 * the real provisioning state machine with the real handlers, and returns
 * how the execution went with the emails it published.
 */
export async function provisionLocally(
  options: ProvisionOptions
): Promise<LocalProvisioning> {
  const environment = nameOf(options.request);
  // The workflow records its progress in template.yaml's table.
  await ensureTables();
  const mailbox = await openMailbox(environment);
  const executionName =
    options.executionName ?? `${environment}-${Date.now().toString(36)}`;

  const execution = await runLocally({
    definitionPath: join(repoRoot, 'statemachines', 'provision.asl.yaml'),
    stateMachineId: 'ProvisionStateMachine',
    input: options.request,
    executionName,
    values: {
      resources: localResources,
      parameters: options.parameters,
    },
    // Lambda mounts the templates layer under /opt; locally the functions
    // read the folder the layer is built from.
    environmentOverrides: {
      TEMPLATES_DIR: join(repoRoot, 'templates'),
      CHARTS_DIR: join(repoRoot, 'templates', 'charts'),
      ...options.environment,
    },
    onEvent: options.onEvent,
    onInvoke: options.onInvoke,
    logSink: options.logSink,
    timeoutMs: options.timeoutMs,
  });

  return { execution, emails: await mailbox.read() };
}
