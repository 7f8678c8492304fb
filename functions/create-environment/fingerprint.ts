import { createHash } from 'node:crypto';
import type { EnvironmentRequest } from '../shared/request';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])])
    );
  }

  return value;
}

/**
 * The idempotency key of a request: a digest of the request after
 * validation, so two bodies that differ only in key order or in spelling
 * out a default are the same request. The owner is part of it.
 */
export function fingerprintOf(request: EnvironmentRequest): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(request)))
    .digest('hex');
}
