import type { APIGatewayEventIdentity } from 'aws-lambda';

/**
 * The IAM principal a SigV4-signed request came from, as haven records it:
 * an IAM user's ARN, or for an assumed role the role's ARN, so every
 * session of a team's role owns the same environments.
 */
export interface Principal {
  arn: string;
  /** A platform admin sees and deletes every team's environments. */
  isAdmin: boolean;
}

const assumedRolePattern =
  /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;

/**
 * The principal ARN that owns what a caller asks for. An assumed-role
 * session ARN (arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION) becomes
 * arn:aws:iam::ACCOUNT:role/NAME. The session ARN carries no role path, so
 * a role with a path is recorded without it; two roles that differ only by
 * path would share their environments, which an account rarely has.
 */
export function ownerArnOf(userArn: string): string {
  const assumed = userArn.match(assumedRolePattern);
  if (!assumed) return userArn;
  const [, partition, account, role] = assumed;

  return `arn:${partition}:iam::${account}:role/${role}`;
}

/** The platform admins' principal ARNs, from PLATFORM_ADMIN_PRINCIPALS. */
export function platformAdmins(
  env: NodeJS.ProcessEnv = process.env
): Set<string> {
  return new Set(
    (env.PLATFORM_ADMIN_PRINCIPALS ?? '')
      .split(',')
      .map((arn) => arn.trim())
      .filter((arn) => arn.length > 0)
      .map(ownerArnOf)
  );
}

/**
 * The caller of a request that API Gateway authorised with AWS_IAM, or
 * undefined when the request carries no IAM identity (it was not signed).
 */
export function principalOf(
  identity: Partial<APIGatewayEventIdentity> | undefined,
  env: NodeJS.ProcessEnv = process.env
): Principal | undefined {
  const userArn = identity?.userArn;
  if (!userArn?.startsWith('arn:')) return undefined;
  const arn = ownerArnOf(userArn);

  return { arn, isAdmin: platformAdmins(env).has(arn) };
}

/** Whether the caller may see and delete an environment of `owner`. */
export function mayManage(principal: Principal, owner: string): boolean {
  return principal.isAdmin || principal.arn === owner;
}
