import {
  mayManage,
  ownerArnOf,
  platformAdmins,
  principalOf,
} from '../../../functions/shared/principal';

describe('ownerArnOf', () => {
  it.each([
    [
      'an IAM user, as it is',
      'arn:aws:iam::123456789012:user/alice',
      'arn:aws:iam::123456789012:user/alice',
    ],
    [
      'an IAM user with a path, as it is',
      'arn:aws:iam::123456789012:user/team/alice',
      'arn:aws:iam::123456789012:user/team/alice',
    ],
    [
      'an assumed role session, as its role',
      'arn:aws:sts::123456789012:assumed-role/team-a/alice@example.com',
      'arn:aws:iam::123456789012:role/team-a',
    ],
    [
      'an assumed role in another partition, in that partition',
      'arn:aws-us-gov:sts::123456789012:assumed-role/team-a/ci',
      'arn:aws-us-gov:iam::123456789012:role/team-a',
    ],
    [
      'a federated user, as it is',
      'arn:aws:sts::123456789012:federated-user/bob',
      'arn:aws:sts::123456789012:federated-user/bob',
    ],
    [
      'the account root, as it is',
      'arn:aws:iam::123456789012:root',
      'arn:aws:iam::123456789012:root',
    ],
  ])('records %s', (_case, userArn, owner) => {
    expect(ownerArnOf(userArn)).toBe(owner);
  });
});

describe('principalOf', () => {
  const env = {
    PLATFORM_ADMIN_PRINCIPALS:
      ' arn:aws:iam::123456789012:role/platform ,arn:aws:iam::123456789012:user/ops',
  };

  it('makes any session of an admin role an admin', () => {
    const principal = principalOf(
      {
        userArn: 'arn:aws:sts::123456789012:assumed-role/platform/on-call',
      },
      env
    );

    expect(principal).toEqual({
      arn: 'arn:aws:iam::123456789012:role/platform',
      isAdmin: true,
    });
  });

  it('makes nobody else an admin', () => {
    const principal = principalOf(
      { userArn: 'arn:aws:iam::123456789012:user/alice' },
      env
    );

    expect(principal?.isAdmin).toBe(false);
  });

  it.each([
    ['no identity', undefined],
    ['an identity without a user ARN', { userArn: null }],
    ['a user ARN that is no ARN', { userArn: 'alice' }],
  ])('finds no principal in %s', (_case, identity) => {
    expect(principalOf(identity as never, env)).toBeUndefined();
  });
});

describe('platformAdmins', () => {
  it('is empty without the setting', () => {
    expect(platformAdmins({}).size).toBe(0);
  });
});

describe('mayManage', () => {
  const owner = 'arn:aws:iam::123456789012:role/team-a';

  it.each([
    ['the owner', { arn: owner, isAdmin: false }, true],
    ['an admin', { arn: 'arn:aws:iam::1:role/platform', isAdmin: true }, true],
    [
      'anyone else',
      { arn: 'arn:aws:iam::1:role/team-b', isAdmin: false },
      false,
    ],
  ])('lets %s manage it: %s', (_case, principal, allowed) => {
    expect(mayManage(principal, owner)).toBe(allowed);
  });
});
