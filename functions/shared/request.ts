import { z } from 'zod';
import { type PlatformLimits, requestDefaults } from './defaults';
import { type FieldProblem, RequestValidationError } from './errors';

/**
 * Environment names become stack, load balancer, target group and bucket
 * names: lowercase, 3 to 20 characters, so `<name>-alb` fits the load
 * balancer's 32 characters and `<name>-django-static-<account>` a bucket's 63.
 */
export const environmentNamePattern = /^[a-z][a-z0-9-]{1,18}[a-z0-9]$/;

const tagKeyPattern = /^[\p{L}\p{N} _.:/=+\-@]{1,128}$/u;
const gitRefPattern = /^[A-Za-z0-9._/-]{1,200}$/;
const certificatePattern =
  /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/;

const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes name')
  .max(53);

/** The optional EKS part: a cluster haven creates, or one the team names. */
function eksSchema() {
  const d = requestDefaults.eks;
  const replicas = z.number().int().min(1).max(50);
  const nodes = z.strictObject({
    instanceType: z
      .string()
      .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'must be an EC2 instance type')
      .prefault(d.nodes.instanceType),
    min: z.number().int().min(1).max(20).prefault(d.nodes.min),
    desired: z.number().int().min(1).max(20).prefault(d.nodes.desired),
    max: z.number().int().min(1).max(20).prefault(d.nodes.max),
  });
  const autoscaling = z.strictObject({
    minReplicas: replicas.prefault(d.autoscaling.minReplicas),
    maxReplicas: replicas.prefault(d.autoscaling.maxReplicas),
    targetCpuPercent: z
      .number()
      .int()
      .min(10)
      .max(95)
      .prefault(d.autoscaling.targetCpuPercent),
  });

  return z.strictObject({
    cluster: z
      .strictObject({
        name: z
          .string()
          .regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, 'must be a cluster name'),
        nodeSecurityGroupId: z
          .string()
          .regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id'),
      })
      .optional(),
    kubernetesVersion: z
      .enum(['1.35', '1.36'], { error: 'must be 1.35 or 1.36' })
      .prefault(d.kubernetesVersion),
    nodes: nodes.prefault({}),
    namespace: dnsLabel.prefault(d.namespace),
    image: z
      .strictObject({
        repository: z
          .string()
          .regex(/^[a-z0-9./_:-]{1,255}$/, 'must be an image repository')
          .prefault(d.image.repository),
        tag: z
          .string()
          .regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/, 'must be an image tag')
          .prefault(d.image.tag),
      })
      .prefault({}),
    replicas: replicas.prefault(d.replicas),
    autoscaling: autoscaling.prefault({}),
    serviceType: z
      .enum(['LoadBalancer', 'ClusterIP', 'NodePort'])
      .prefault(d.serviceType),
    monitoring: z.boolean().prefault(d.monitoring),
  });
}

/** The EKS part of a validated request, with every default filled in. */
export interface EksRequest {
  /** `create`: haven builds a cluster; `existing`: the team names one. */
  mode: 'create' | 'existing';
  clusterName: string;
  /** The named cluster's node group, admitted to the database. */
  nodeSecurityGroupId: string;
  kubernetesVersion: string;
  nodes: { instanceType: string; min: number; desired: number; max: number };
  namespace: string;
  image: { repository: string; tag: string };
  replicas: number;
  autoscaling: {
    minReplicas: number;
    maxReplicas: number;
    targetCpuPercent: number;
  };
  serviceType: string;
  monitoring: boolean;
}

/**
 * Defaults are prefaults: they pass the same checks as a value the request
 * gives, so a platform that narrowed its limits below haven's defaults
 * rejects a request that leaves such a size out, naming the field.
 */
function requestSchema(limits: PlatformLimits) {
  const count = z
    .number()
    .int()
    .min(0)
    .max(limits.maxInstances, {
      error: `must be at most ${limits.maxInstances}, the platform's limit`,
    });

  const sizes = z.strictObject({
    instanceType: z
      .enum(limits.instanceTypes as [string, ...string[]], {
        error: `must be one of ${limits.instanceTypes.join(', ')}`,
      })
      .prefault(requestDefaults.sizes.instanceType),
    dbInstanceClass: z
      .enum(limits.dbInstanceClasses as [string, ...string[]], {
        error: `must be one of ${limits.dbInstanceClasses.join(', ')}`,
      })
      .prefault(requestDefaults.sizes.dbInstanceClass),
    dbAllocatedStorage: z
      .number()
      .int()
      .min(limits.dbStorage.min)
      .max(limits.dbStorage.max)
      .prefault(requestDefaults.sizes.dbAllocatedStorage),
    minSize: count.prefault(requestDefaults.sizes.minSize),
    desiredCapacity: count
      .min(1)
      .prefault(requestDefaults.sizes.desiredCapacity),
    maxSize: count.min(1).prefault(requestDefaults.sizes.maxSize),
  });

  const app = z.strictObject({
    repository: z
      .url({ protocol: /^https$/, error: 'must be an https git URL' })
      .max(500)
      .optional(),
    ref: z
      .string()
      .regex(gitRefPattern, 'must be a branch, tag or commit name')
      .optional(),
    directory: z
      .string()
      .regex(/^[A-Za-z0-9._/-]{1,100}$/, 'must be a relative folder name')
      .refine((dir) => !dir.split('/').includes('..'), 'must stay inside')
      .default(requestDefaults.app.directory),
  });

  const eks = eksSchema();

  return z.strictObject({
    name: z
      .string({ error: 'is required' })
      .regex(
        environmentNamePattern,
        'must be 3 to 20 lowercase letters, digits or hyphens, ' +
          'starting with a letter and not ending with a hyphen'
      ),
    notificationEmail: z.email({ error: 'must be an email address' }).max(254),
    owner: z.string().min(1).max(256).optional(),
    sizes: sizes.prefault({}),
    app: app.prefault({}),
    singleNatGateway: z.boolean().default(requestDefaults.singleNatGateway),
    certificateArn: z
      .string()
      .regex(certificatePattern, 'must be an ACM certificate ARN')
      .optional(),
    production: z.boolean().default(requestDefaults.production),
    rollbackOnFailure: z.boolean().default(requestDefaults.rollbackOnFailure),
    eks: eks.optional(),
    tags: z
      .record(
        z
          .string()
          .regex(tagKeyPattern, 'must be a valid tag key')
          .refine(
            (key) => !/^(aws|haven):/i.test(key),
            'must not start with aws: or haven:, which are reserved'
          ),
        z.string().max(256)
      )
      .refine((tags) => Object.keys(tags).length <= 20, 'at most 20 tags')
      .default({}),
  });
}

/** A request as the application team sends it. */
export type EnvironmentRequestInput = z.input<ReturnType<typeof requestSchema>>;

/** A request after validation, with every default filled in. */
export interface EnvironmentRequest {
  name: string;
  notificationEmail: string;
  owner: string;
  sizes: {
    instanceType: string;
    dbInstanceClass: string;
    dbAllocatedStorage: number;
    minSize: number;
    desiredCapacity: number;
    maxSize: number;
  };
  app: { repository: string; ref: string; directory: string };
  singleNatGateway: boolean;
  certificateArn?: string;
  production: boolean;
  rollbackOnFailure: boolean;
  tags: Record<string, string>;
  eks?: EksRequest;
}

/**
 * Checks min <= desired <= max apart from the schema, so the ordering is
 * reported even when another field of the request is wrong too.
 */
function sizeOrderProblems(input: unknown): FieldProblem[] {
  const sizes =
    typeof input === 'object' && input !== null && 'sizes' in input
      ? (input as { sizes: unknown }).sizes
      : {};
  const given = (typeof sizes === 'object' && sizes) || {};
  const pick = (key: 'minSize' | 'desiredCapacity' | 'maxSize') => {
    const value = (given as Record<string, unknown>)[key];

    return typeof value === 'number' ? value : requestDefaults.sizes[key];
  };
  const min = pick('minSize');
  const desired = pick('desiredCapacity');
  const max = pick('maxSize');
  const problems: FieldProblem[] = [];
  if (min > desired) {
    problems.push({
      field: 'sizes.minSize',
      message: `must be at most desiredCapacity (${desired})`,
    });
  }
  if (desired > max) {
    problems.push({
      field: 'sizes.desiredCapacity',
      message: `must be at most maxSize (${max})`,
    });
  }

  return problems;
}

function eksOrderProblems(
  eks: { nodes: { min: number; desired: number; max: number } } & {
    autoscaling: { minReplicas: number; maxReplicas: number };
  } = {
    nodes: { min: 0, desired: 0, max: 0 },
    autoscaling: { minReplicas: 0, maxReplicas: 0 },
  }
): FieldProblem[] {
  const { nodes, autoscaling } = eks;
  const problems: FieldProblem[] = [];
  if (nodes.min > nodes.desired) {
    problems.push({
      field: 'eks.nodes.min',
      message: `must be at most eks.nodes.desired (${nodes.desired})`,
    });
  }
  if (nodes.desired > nodes.max) {
    problems.push({
      field: 'eks.nodes.desired',
      message: `must be at most eks.nodes.max (${nodes.max})`,
    });
  }
  if (autoscaling.minReplicas > autoscaling.maxReplicas) {
    problems.push({
      field: 'eks.autoscaling.minReplicas',
      message: `must be at most maxReplicas (${autoscaling.maxReplicas})`,
    });
  }

  return problems;
}

function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return 'is not a known field';
  if (issue.code === 'invalid_key') {
    return issue.issues[0]?.message ?? issue.message;
  }

  return issue.message;
}

function fieldOf(path: PropertyKey[]): string {
  // An empty key is shown quoted, so the message still points at it.
  const named = path.map((key) => (String(key) === '' ? '""' : String(key)));

  return named.length > 0 ? named.join('.') : '(request)';
}

/**
 * Validates a request against a closed schema and fills in the defaults.
 * Throws RequestValidationError naming every bad field.
 */
export function parseRequest(
  input: unknown,
  limits: PlatformLimits
): EnvironmentRequest {
  const result = requestSchema(limits).safeParse(input);
  const problems: FieldProblem[] = result.success
    ? []
    : result.error.issues.map((issue) => ({
        field:
          issue.code === 'unrecognized_keys'
            ? fieldOf([
                ...issue.path,
                issue.keys.map((key) => key || '""').join(', '),
              ])
            : fieldOf(issue.path),
        message: messageOf(issue),
      }));
  problems.push(...sizeOrderProblems(input));

  const parsed = result.data;
  problems.push(...eksOrderProblems(parsed?.eks));
  const repository =
    parsed?.app.repository ?? limits.defaultAppRepository ?? '';
  if (parsed && repository === '') {
    problems.push({
      field: 'app.repository',
      message:
        'is required: the platform has no reference app repository configured',
    });
  }
  if (!parsed || problems.length > 0) {
    throw new RequestValidationError(problems);
  }

  const { eks, ...rest } = parsed;
  const eksRequest: EksRequest | undefined = eks && {
    ...eks,
    mode: eks.cluster ? 'existing' : 'create',
    clusterName: eks.cluster?.name ?? `${parsed.name}-eks`,
    nodeSecurityGroupId: eks.cluster?.nodeSecurityGroupId ?? '',
  };
  delete (eksRequest as { cluster?: unknown } | undefined)?.cluster;

  return {
    ...rest,
    ...(eksRequest ? { eks: eksRequest } : {}),
    owner: parsed.owner ?? parsed.notificationEmail,
    app: {
      repository,
      ref: parsed.app.ref ?? limits.defaultAppRef,
      directory: parsed.app.directory,
    },
  };
}
