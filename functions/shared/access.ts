import { NotFoundError } from './http-errors';
import type { Principal } from './principal';
import { mayManage } from './principal';
import { type EnvironmentRecord, getRecord } from './records';
import { environmentNamePattern } from './request';

/**
 * The record of an environment the caller may see: its owner's, or any
 * for a platform admin. Another team's environment answers 404 exactly as
 * a name nobody uses, so no route tells a team what another team has.
 */
export async function visibleRecord(
  name: string,
  principal: Principal
): Promise<EnvironmentRecord> {
  if (!environmentNamePattern.test(name)) throw new NotFoundError(name);
  const record = await getRecord(name);
  if (!record || !mayManage(principal, record.owner)) {
    throw new NotFoundError(name);
  }

  return record;
}
