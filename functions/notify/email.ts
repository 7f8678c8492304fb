import type {
  CleanupResult,
  ReleaseResult,
  WorkflowState,
} from '../shared/workflow';

/** An email as SNS sends it: a subject of at most 100 characters. */
export interface Email {
  subject: string;
  body: string;
}

/** A stack that was kept for inspection, with the status it is in. */
export interface KeptStack {
  stackName: string;
  status: string;
}

/** How long since `startTime`, as an email says it. */
export function duration(startTime: string, now: Date): string {
  const seconds = Math.max(
    0,
    Math.round((now.getTime() - Date.parse(startTime)) / 1000)
  );
  const minutes = Math.floor(seconds / 60);

  return minutes > 0 ? `${minutes} min ${seconds % 60} s` : `${seconds} s`;
}

/** Label and value rows, aligned; empty values are left out. */
export function table(rows: [string, string | undefined][]): string {
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;

  return rows
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`)
    .join('\n');
}

/** The message of a caught error: Lambda wraps it in a JSON Cause. */
export function errorMessageOf(cause: string | undefined): string {
  if (!cause) return 'no details were given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not JSON: a Fail state or a service integration gave plain text.
  }

  return cause;
}

/** A subject SNS accepts: at most 100 characters. */
export function subjectOf(text: string): string {
  return text.length <= 100 ? text : `${text.slice(0, 97)}...`;
}

function appAddress(release: ReleaseResult | undefined): string | undefined {
  if (!release) return undefined;
  if (release.address) return release.address;
  if (release.addressPending) {
    return 'load balancer still being created; see kubectl get svc';
  }

  return release.access;
}

/** The EKS part of the success email, when the environment has one. */
function eksRows(state: WorkflowState): [string, string | undefined][] {
  if (!state.request.eks) return [];
  const { appRelease, monitoringRelease, cluster } = state;
  const grafana = monitoringRelease?.access
    ? `${monitoringRelease.access} (admin password in the Secret ` +
      `${monitoringRelease.passwordSecret} of namespace monitoring)`
    : undefined;

  return [
    ['EKS cluster', cluster?.clusterName],
    ['EKS app', appAddress(appRelease)],
    ['Grafana', grafana],
  ];
}

/** The email that tells the requester the environment is ready. */
export function successEmail(state: WorkflowState, now: Date): Email {
  const { request, stacks, execution } = state;
  const compute = state.compute?.outputs ?? {};
  const data = state.data?.outputs ?? {};
  const database = state.database as
    | { primaryZone?: string; standbyZone?: string }
    | undefined;
  const targets = state.targets as { healthy?: number; zones?: string[] };

  const details = table([
    ['App URL', compute.AppUrl],
    [
      'Database',
      data.DBEndpointAddress
        ? `${data.DBEndpointAddress}:${data.DBEndpointPort}`
        : undefined,
    ],
    [
      'Database zones',
      database
        ? `primary ${database.primaryZone}, standby ${database.standbyZone}`
        : undefined,
    ],
    [
      'App instances',
      targets
        ? `${targets.healthy} healthy in ${(targets.zones ?? []).join(', ')}`
        : undefined,
    ],
    ['Media bucket', data.StaticBucketName],
    ...eksRows(state),
    ['Stacks', Object.values(stacks).join(', ')],
    ['Total time', duration(execution.startTime, now)],
    ['Execution', execution.consoleUrl],
  ]);

  return {
    subject: subjectOf(`haven: environment ${request.name} is ready`),
    body: [
      `Your environment "${request.name}" is ready.`,
      '',
      details,
      '',
      'The database password is kept by RDS in AWS Secrets Manager; the',
      "app's instances read it from there. Alarms of the environment go to",
      `${request.notificationEmail} once that address confirmed its`,
      'subscription.',
    ].join('\n'),
  };
}

/**
 * What the rollback did to the releases on a cluster the team named: they
 * outlive the stacks, so one that could not be uninstalled is named with
 * why. Empty when no release was tried there.
 */
function releaseLines(state: WorkflowState): string[] {
  const cluster = state.cluster?.clusterName;
  const tried = [
    ['django-app', state.appUninstall],
    ['monitoring', state.monitoringUninstall],
  ] as const;
  if (!cluster || tried.every(([, result]) => !result)) return [];

  return [
    `Helm releases of this attempt on the cluster ${cluster}:`,
    ...tried.map(([release, result]) =>
      result && 'Error' in result
        ? `  - ${release}: left installed (${errorMessageOf(result.Cause)})`
        : `  - ${release}: uninstalled`
    ),
  ];
}

function leftBehind(
  state: WorkflowState,
  kept: KeptStack[] | undefined
): string[] {
  if (!state.request.rollbackOnFailure) {
    const lines = (kept ?? []).map(
      (stack) => `  - ${stack.stackName} (${stack.status})`
    );
    const installed = [
      ['django-app', state.appRelease],
      ['monitoring', state.monitoringRelease],
    ].filter(([, release]) => release);
    // Releases on a cluster the team named outlive haven's stacks.
    const releases =
      state.cluster &&
      installed.length > 0 &&
      state.request.eks?.mode === 'existing'
        ? [
            `  - Helm releases on the cluster ${state.cluster.clusterName}: ` +
              installed.map(([name]) => name).join(', '),
          ]
        : [];

    return [
      'The stacks of this attempt were kept for inspection, because the',
      'request set rollbackOnFailure to false:',
      ...(lines.length > 0 ? lines : ['  - none had been created']),
      ...releases,
      'Delete them once you are done, or request the environment again',
      'to retry: haven replaces failed stacks before creating them.',
    ];
  }

  const lines = (state.cleanup ?? []).map(
    (result: CleanupResult) =>
      `  - ${result.stackName}: ${result.outcome}` +
      `${result.detail ? ` (${errorMessageOf(result.detail)})` : ''}`
  );

  return [
    ...releaseLines(state),
    'haven deleted the stacks of this attempt:',
    ...(lines.length > 0 ? lines : ['  - none had been created']),
    'Kept on purpose by the deletion policy: the final snapshot of the',
    'database, when the database had been created. Delete it in the RDS',
    'console once you no longer need it.',
  ];
}

/** The email that tells the requester what failed and what is left. */
export function failureEmail(
  state: WorkflowState,
  now: Date,
  kept?: KeptStack[]
): Email {
  const { request, execution } = state;
  const step = state.failure?.step ?? 'an unknown step';
  const tier = state.failure?.tier;
  const stack = tier ? state.stacks?.[tier] : undefined;

  const details = table([
    ['Failed step', step],
    ['Stack', stack],
    ['What failed', errorMessageOf(state.error?.Cause)],
    ['Error type', state.error?.Error],
    ['Total time', duration(execution.startTime, now)],
    ['Execution', execution.consoleUrl],
  ]);

  return {
    subject: subjectOf(
      `haven: environment ${request.name} failed at ${step.toLowerCase()}`
    ),
    body: [
      `Provisioning of your environment "${request.name}" failed.`,
      '',
      details,
      '',
      ...leftBehind(state, kept),
      '',
      'The execution link shows every step and its input and output.',
    ].join('\n'),
  };
}
