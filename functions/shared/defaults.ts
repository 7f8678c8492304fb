/**
 * Every default of an environment request, in one place. The numbers are
 * those of the reference design; the tier templates carry the same values
 * as parameter defaults so a stack created by hand matches.
 */
export const requestDefaults = {
  sizes: {
    instanceType: 't2.micro',
    dbInstanceClass: 'db.t3.micro',
    dbAllocatedStorage: 100,
    minSize: 1,
    desiredCapacity: 2,
    maxSize: 3,
  },
  app: { ref: 'main', directory: 'app' },
  singleNatGateway: false,
  production: false,
  rollbackOnFailure: true,
  /** The EKS part, used only when a request asks for EKS. */
  eks: {
    kubernetesVersion: '1.35',
    nodes: { instanceType: 't3.medium', min: 1, desired: 2, max: 2 },
    namespace: 'django-app',
    image: { repository: 'franklynux/cognetiks_django_app', tag: 'v2' },
    replicas: 3,
    autoscaling: { minReplicas: 2, maxReplicas: 5, targetCpuPercent: 80 },
    serviceType: 'LoadBalancer',
    monitoring: true,
  },
} as const;

/** What the platform team allows, read from the function's environment. */
export interface PlatformLimits {
  instanceTypes: string[];
  dbInstanceClasses: string[];
  maxInstances: number;
  dbStorage: { min: number; max: number };
  defaultAppRepository: string;
  defaultAppRef: string;
}

function list(value: string | undefined, fallback: string[]): string[] {
  const items = (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

  return items.length > 0 ? items : fallback;
}

/** Reads the platform team's limits, falling back to haven's defaults. */
export function platformLimits(
  env: NodeJS.ProcessEnv = process.env
): PlatformLimits {
  const maxInstances = Number.parseInt(env.MAX_INSTANCES ?? '', 10);

  return {
    instanceTypes: list(env.ALLOWED_INSTANCE_TYPES, [
      't2.micro',
      't3.micro',
      't3.small',
      't3.medium',
    ]),
    dbInstanceClasses: list(env.ALLOWED_DB_INSTANCE_CLASSES, [
      'db.t3.micro',
      'db.t3.small',
      'db.t3.medium',
    ]),
    maxInstances: Number.isFinite(maxInstances) ? maxInstances : 10,
    dbStorage: { min: 20, max: 1000 },
    defaultAppRepository: env.DEFAULT_APP_REPOSITORY ?? '',
    defaultAppRef: env.DEFAULT_APP_REF || requestDefaults.app.ref,
  };
}
