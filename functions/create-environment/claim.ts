import { randomBytes } from 'node:crypto';
import { ConflictError } from '../shared/http-errors';
import {
  type EnvironmentRecord,
  getRecord,
  type HistoryEntry,
  historyLimit,
  putClaim,
} from '../shared/records';
import type { EnvironmentRequest } from '../shared/request';

/** What a request for a name comes to, given the name's record. */
export type ClaimDecision =
  | { kind: 'claim'; attempt: number }
  | { kind: 'repeat' }
  | { kind: 'conflict'; message: string };

/**
 * Decides what a request does to a name. A free name (no record, or its
 * environment deleted) is claimed; the owner's own failed attempt is
 * followed by a new one; the same request again, while it runs or once it
 * succeeded, is the same environment. Anything else is a conflict, which
 * says no more about another team's environment than that the name is
 * taken.
 */
export function decide(
  seen: EnvironmentRecord | undefined,
  owner: string,
  fingerprint: string
): ClaimDecision {
  const name = seen?.name;
  if (!seen || seen.phase === 'deleted') return { kind: 'claim', attempt: 1 };
  if (seen.owner !== owner) {
    return {
      kind: 'conflict',
      message: `The name ${name} is taken by another team. Choose another.`,
    };
  }
  if (seen.phase === 'failed') {
    return { kind: 'claim', attempt: seen.attempt + 1 };
  }
  if (seen.phase === 'tearing down') {
    return {
      kind: 'conflict',
      message:
        `The environment ${name} is being torn down. Request it again ` +
        'once GET /environments/{name} says deleted.',
    };
  }
  if (seen.fingerprint === fingerprint) return { kind: 'repeat' };

  return {
    kind: 'conflict',
    message:
      `An environment named ${name} is ${seen.phase} from a different ` +
      'request. haven does not change an environment in place: delete it ' +
      'first, or choose another name.',
  };
}

/** The ARN an execution of the machine will have, before it starts. */
export function executionArnOf(machineArn: string, name: string): string {
  return `${machineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** A claim that won, or the environment an identical request made. */
export interface ClaimOutcome {
  record: EnvironmentRecord;
  isNew: boolean;
  executionName: string;
}

function executionNameOf(name: string, attempt: number): string {
  return `${name}-${attempt}-${randomBytes(4).toString('hex')}`;
}

function newRecord(
  request: EnvironmentRequest,
  fingerprint: string,
  attempt: number,
  executionArn: string,
  seen: EnvironmentRecord | undefined,
  now: Date
): EnvironmentRecord {
  const at = now.toISOString();
  const earlier = seen?.phase === 'failed' ? seen.history : [];
  const step = 'Validate the request';
  const entry: HistoryEntry = { at, phase: 'provisioning', step };

  return {
    name: request.name,
    owner: request.owner,
    request,
    fingerprint,
    phase: 'provisioning',
    step,
    history: [...earlier, entry].slice(-historyLimit),
    attempt,
    executionArn,
    startedAt: at,
    updatedAt: at,
  };
}

/**
 * Claims the request's name with a conditional write, so of several
 * requests racing for one name exactly one wins. A request that loses
 * reads the record again and is decided anew: a repeat of the winner
 * gets the winner's environment, a different one a conflict.
 */
export async function claimName(
  request: EnvironmentRequest,
  fingerprint: string,
  machineArn: string,
  now: Date = new Date()
): Promise<ClaimOutcome> {
  for (let round = 0; round < 3; round += 1) {
    const seen = await getRecord(request.name);
    const decision = decide(seen, request.owner, fingerprint);
    if (decision.kind === 'conflict') throw new ConflictError(decision.message);
    if (decision.kind === 'repeat' && seen) {
      const executionName = seen.executionArn.split(':').pop() ?? '';

      return { record: seen, isNew: false, executionName };
    }
    if (decision.kind !== 'claim') continue;

    const executionName = executionNameOf(request.name, decision.attempt);
    const record = newRecord(
      request,
      fingerprint,
      decision.attempt,
      executionArnOf(machineArn, executionName),
      seen,
      now
    );
    if (await putClaim(record, seen)) {
      return { record, isNew: true, executionName };
    }
  }

  throw new ConflictError(
    `Other requests for ${request.name} are being handled at this moment. ` +
      'Try again in a few seconds.'
  );
}
