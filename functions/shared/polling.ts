import type { Tier } from './tiers';

/**
 * How a wait polls. The first look comes shortly before the resource is
 * usually ready (`firstSeconds`), then looks follow at short intervals
 * (`intervalSeconds`, growing by `backoff` up to `maxIntervalSeconds`, so
 * a resource much slower than usual costs few calls), and the wait gives
 * up once the intervals add up to `boundSeconds`. A wait whose first look
 * the workflow takes at once (`atOnce`, for the database and the targets,
 * looked at when the compute stack is complete) waits `firstSeconds`
 * before its second look instead.
 *
 * The first looks follow how long AWS usually takes, as docs/performance.md
 * sets out with its sources: a network stack about 2.5 minutes (its NAT
 * gateways), a data stack about 17 (RDS Multi-AZ), a compute stack about
 * 4 (the load balancer and the instance profile), the instances about 5
 * more to boot and pass two health checks, an EKS cluster stack about 20.
 */
export interface PollPlan {
  firstSeconds: number;
  intervalSeconds: number;
  backoff: number;
  maxIntervalSeconds: number;
  boundSeconds: number;
  atOnce?: boolean;
}

export type WaitName = Tier | 'delete' | 'database' | 'targets';

export const pollPlans: Record<WaitName, PollPlan> = {
  network: {
    firstSeconds: 150,
    intervalSeconds: 10,
    backoff: 1.1,
    maxIntervalSeconds: 60,
    boundSeconds: 30 * 60,
  },
  data: {
    firstSeconds: 990,
    intervalSeconds: 10,
    backoff: 1.1,
    maxIntervalSeconds: 90,
    boundSeconds: 90 * 60,
  },
  compute: {
    firstSeconds: 240,
    intervalSeconds: 10,
    backoff: 1.1,
    maxIntervalSeconds: 60,
    boundSeconds: 45 * 60,
  },
  // A control plane takes about 15 minutes, its node group a few more.
  eks: {
    firstSeconds: 1140,
    intervalSeconds: 15,
    backoff: 1.2,
    maxIntervalSeconds: 60,
    boundSeconds: 60 * 60,
  },
  delete: {
    firstSeconds: 30,
    intervalSeconds: 45,
    backoff: 1.5,
    maxIntervalSeconds: 120,
    boundSeconds: 60 * 60,
  },
  // RDS reports the standby once the data stack is complete; looked at
  // again only when it is late.
  database: {
    atOnce: true,
    firstSeconds: 15,
    intervalSeconds: 20,
    backoff: 1.5,
    maxIntervalSeconds: 120,
    boundSeconds: 30 * 60,
  },
  // Looked at when the compute stack is complete; the instances then
  // still boot and pass two health checks 30 seconds apart.
  targets: {
    atOnce: true,
    firstSeconds: 290,
    intervalSeconds: 10,
    backoff: 1.1,
    maxIntervalSeconds: 60,
    boundSeconds: 20 * 60,
  },
};

/** Seconds to wait before look number `attempt` (0 is the first look). */
export function intervalBefore(plan: PollPlan, attempt: number): number {
  const wait = plan.atOnce ? attempt - 1 : attempt;
  if (wait < 0) return 0;
  if (wait === 0) return plan.firstSeconds;

  const grown = plan.intervalSeconds * plan.backoff ** (wait - 1);

  return Math.round(Math.min(plan.maxIntervalSeconds, grown));
}

/**
 * Seconds added to the first wait of one resource, from 0 to just under
 * the plan's interval, the same for the same name every time. Workflows
 * started together would otherwise look at the same instants, interval
 * after interval; the offset spreads their calls over the interval, and
 * the looks after the first keep it.
 */
export function spreadSeconds(plan: PollPlan, name: string): number {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;

  return hash % plan.intervalSeconds;
}

/** Seconds before the first look at a resource that was just started. */
export function firstWaitOf(plan: PollPlan, name: string): number {
  return intervalBefore(plan, 0) + spreadSeconds(plan, name);
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
