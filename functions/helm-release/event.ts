import { z } from 'zod';
import { type FieldProblem, RequestValidationError } from '../shared/errors';
import type { Correlation } from '../shared/logger';

/** The charts under CHARTS_DIR that this function installs. */
export const charts = ['django-app', 'monitoring'] as const;

/** A Kubernetes name: a DNS label, as releases and namespaces must be. */
const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
    error: 'must be a DNS label: lowercase letters, digits and hyphens',
  })
  .max(53, { error: 'must be at most 53 characters, as Helm requires' });

/** The Secret the django-app chart reads its DATABASE_* variables from. */
export const defaultDatabaseSecretName = 'django-app-database';

/**
 * Where the app's database Secret comes from: the RDS instance (endpoint,
 * database name) and the secret RDS manages for it (user, password).
 */
const databaseSchema = z.strictObject({
  dbInstanceIdentifier: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,62}$/, {
    error: 'must be an RDS instance identifier',
  }),
  // A Secret's name is a DNS subdomain.
  secretName: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
      error: 'must be a Kubernetes Secret name',
    })
    .max(253)
    .default(defaultDatabaseSecretName),
  // Empty means the instance's own DBName.
  databaseName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, {
      error: 'must be a PostgreSQL database name',
    })
    .optional(),
});

const eventSchema = z.strictObject({
  action: z.enum(['install', 'uninstall']),
  clusterName: z.string().regex(/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/, {
    error: 'must be an EKS cluster name',
  }),
  release: dnsLabel,
  chart: z.enum(charts),
  namespace: dnsLabel,
  values: z.record(z.string(), z.unknown()).default({}),
  timeoutSeconds: z.number().int().min(60).max(840).optional(),
  database: databaseSchema.optional(),
  correlation: z
    .object({ environment: z.string(), executionId: z.string() })
    .optional(),
});

/** The chart values that say where the app looks for its database. */
interface DatabaseValues {
  existingSecret?: unknown;
  localSecret?: { enabled?: unknown };
}

// Checks that concern more than one field: the Secret is the django-app
// chart's, and the values must not send the app to another Secret.
function crossFieldProblems(request: z.output<typeof eventSchema>) {
  const problems: FieldProblem[] = [];
  if (!request.database) return problems;
  if (request.chart !== 'django-app') {
    problems.push({
      field: 'database',
      message: 'is only for the django-app chart',
    });
  }
  const values = request.values.database as DatabaseValues | undefined;
  const existing = values?.existingSecret;
  if (existing !== undefined && existing !== request.database.secretName) {
    problems.push({
      field: 'values.database.existingSecret',
      message: `must be database.secretName (${request.database.secretName}) or absent`,
    });
  }
  if (values?.localSecret?.enabled === true) {
    problems.push({
      field: 'values.database.localSecret.enabled',
      message: 'must be off when the Secret comes from the database',
    });
  }

  return problems;
}

/** What the state machine asks of the function. */
export type HelmReleaseEvent = z.input<typeof eventSchema> & {
  correlation?: Correlation;
};

/** The event after validation, defaults filled in. */
export type HelmReleaseRequest = z.output<typeof eventSchema>;

/** Checks the event; throws RequestValidationError naming each bad field. */
export function parseEvent(event: unknown): HelmReleaseRequest {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) {
    throw new RequestValidationError(
      parsed.error.issues.map((issue) => ({
        field: issue.path.join('.') || '(event)',
        message: issue.message,
      }))
    );
  }
  const problems = crossFieldProblems(parsed.data);
  if (problems.length > 0) throw new RequestValidationError(problems);

  return parsed.data;
}

/** The database part of a validated event, secret name filled in. */
export type DatabaseRequest = NonNullable<HelmReleaseRequest['database']>;
