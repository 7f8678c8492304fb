import { z } from 'zod';
import { RequestValidationError } from '../shared/errors';
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
  correlation: z
    .object({ environment: z.string(), executionId: z.string() })
    .optional(),
});

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

  return parsed.data;
}
