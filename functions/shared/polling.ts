import type { Tier } from './tiers';

/**
 * How a wait polls: the first look after `firstSeconds`, then each interval
 * grows by `backoff` up to `maxIntervalSeconds`, and the wait gives up once
 * the intervals add up to `boundSeconds`. Shapes follow how long AWS usually
 * takes: a NAT gateway a few minutes, a Multi-AZ database a quarter hour.
 */
export interface PollPlan {
  firstSeconds: number;
  backoff: number;
  maxIntervalSeconds: number;
  boundSeconds: number;
}

export type WaitName = Tier | 'delete' | 'database' | 'targets';

export const pollPlans: Record<WaitName, PollPlan> = {
  network: {
    firstSeconds: 60,
    backoff: 1.5,
    maxIntervalSeconds: 60,
    boundSeconds: 30 * 60,
  },
  data: {
    firstSeconds: 300,
    backoff: 1.5,
    maxIntervalSeconds: 120,
    boundSeconds: 90 * 60,
  },
  compute: {
    firstSeconds: 120,
    backoff: 1.5,
    maxIntervalSeconds: 60,
    boundSeconds: 45 * 60,
  },
  // A control plane takes 10 to 15 minutes, its node group a few more.
  eks: {
    firstSeconds: 600,
    backoff: 1.5,
    maxIntervalSeconds: 60,
    boundSeconds: 60 * 60,
  },
  delete: {
    firstSeconds: 30,
    backoff: 1.5,
    maxIntervalSeconds: 120,
    boundSeconds: 60 * 60,
  },
  database: {
    firstSeconds: 10,
    backoff: 2,
    maxIntervalSeconds: 120,
    boundSeconds: 30 * 60,
  },
  targets: {
    firstSeconds: 15,
    backoff: 1.5,
    maxIntervalSeconds: 60,
    boundSeconds: 20 * 60,
  },
};

/** Seconds to wait before look number `attempt` (0 is the first look). */
export function intervalBefore(plan: PollPlan, attempt: number): number {
  if (attempt === 0) return plan.firstSeconds;

  const grown = plan.firstSeconds * plan.backoff ** attempt;

  return Math.round(Math.min(plan.maxIntervalSeconds, grown));
}

/** Whether look number `attempt` would pass the plan's bound. */
export function isPastBound(plan: PollPlan, attempt: number): boolean {
  let waited = 0;
  for (let look = 0; look <= attempt; look += 1) {
    waited += intervalBefore(plan, look);
  }

  return waited > plan.boundSeconds;
}

/** What every check returns so the state machine can loop on it. */
export interface PollState {
  ready: boolean;
  attempt: number;
  waitSeconds: number;
}

/** The next poll state after a look that found the resource not ready. */
export function nextPoll(plan: PollPlan, attempt: number): PollState {
  const next = attempt + 1;

  return {
    ready: false,
    attempt: next,
    waitSeconds: intervalBefore(plan, next),
  };
}

/** Minutes in a plan's bound, for messages. */
export function boundMinutes(plan: PollPlan): number {
  return Math.round(plan.boundSeconds / 60);
}
