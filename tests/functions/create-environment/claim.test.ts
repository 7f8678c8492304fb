import {
  decide,
  executionArnOf,
} from '../../../functions/create-environment/claim';
import type {
  EnvironmentRecord,
  Phase,
} from '../../../functions/shared/records';
import { aRequest } from '../fixtures';

const alice = 'arn:aws:iam::123456789012:user/alice';
const bob = 'arn:aws:iam::123456789012:user/bob';

function aRecord(phase: Phase, owner = alice): EnvironmentRecord {
  return {
    name: 'demo',
    owner,
    request: aRequest({ owner }),
    fingerprint: 'same',
    phase,
    history: [],
    attempt: 2,
    executionArn: 'arn:aws:states:us-east-1:1:execution:haven-provision:x',
    startedAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('decide', () => {
  it.each<[string, EnvironmentRecord | undefined, string, string, unknown]>([
    ['a free name', undefined, alice, 'same', { kind: 'claim', attempt: 1 }],
    [
      'a deleted environment, for anyone',
      aRecord('deleted'),
      bob,
      'other',
      { kind: 'claim', attempt: 1 },
    ],
    [
      "the owner's failed attempt",
      aRecord('failed'),
      alice,
      'other',
      { kind: 'claim', attempt: 3 },
    ],
    [
      'the same request while it runs',
      aRecord('provisioning'),
      alice,
      'same',
      { kind: 'repeat' },
    ],
    [
      'the same request once ready',
      aRecord('ready'),
      alice,
      'same',
      { kind: 'repeat' },
    ],
  ])('claims or repeats for %s', (_case, seen, owner, print, expected) => {
    expect(decide(seen, owner, print)).toEqual(expected);
  });

  it.each<[string, EnvironmentRecord, string, string, RegExp]>([
    [
      "another owner's environment",
      aRecord('ready'),
      bob,
      'same',
      /taken by another team/,
    ],
    [
      "another owner's failed attempt",
      aRecord('failed'),
      bob,
      'same',
      /taken by another team/,
    ],
    [
      'a different request while one runs',
      aRecord('provisioning'),
      alice,
      'other',
      /is provisioning from a different request/,
    ],
    [
      'a different request once ready',
      aRecord('ready'),
      alice,
      'other',
      /is ready from a different request/,
    ],
    [
      'any request during a teardown',
      aRecord('tearing down'),
      alice,
      'same',
      /is being torn down/,
    ],
  ])('is a conflict for %s', (_case, seen, owner, print, message) => {
    const decision = decide(seen, owner, print);

    expect(decision).toEqual({
      kind: 'conflict',
      message: expect.stringMatching(message),
    });
  });
});

describe('executionArnOf', () => {
  it('turns the machine ARN into the ARN its execution will have', () => {
    expect(
      executionArnOf(
        'arn:aws:states:us-east-1:123456789012:stateMachine:haven-provision',
        'demo-1-ab12cd34'
      )
    ).toBe(
      'arn:aws:states:us-east-1:123456789012:execution:haven-provision:' +
        'demo-1-ab12cd34'
    );
  });
});
