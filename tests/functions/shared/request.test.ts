import {
  type PlatformLimits,
  platformLimits,
} from '../../../functions/shared/defaults';
import { RequestValidationError } from '../../../functions/shared/errors';
import {
  environmentNamePattern,
  parseRequest,
} from '../../../functions/shared/request';

const limits: PlatformLimits = {
  ...platformLimits({}),
  defaultAppRepository: 'https://git.example.com/ref.git',
  defaultAppRef: 'stable',
};
const minimal = { name: 'demo', notificationEmail: 'team@example.com' };

function problemsOf(input: unknown, given = limits) {
  try {
    parseRequest(input, given);
  } catch (error) {
    if (error instanceof RequestValidationError) return error.problems;
    throw error;
  }

  throw new Error('the request was accepted');
}

describe('parseRequest', () => {
  it('takes the reference app and its ref when the request names none', () => {
    // Act
    const request = parseRequest(minimal, limits);

    // Assess
    expect(request.app).toEqual({
      repository: 'https://git.example.com/ref.git',
      ref: 'stable',
      directory: 'app',
    });
  });

  it("keeps the request's own ref over the platform's", () => {
    // Act
    const request = parseRequest(
      { ...minimal, app: { ref: 'feature/x' } },
      limits
    );

    // Assess
    expect(request.app.ref).toBe('feature/x');
  });

  it.each([
    ['the given owner', { owner: 'shop-team' }, 'shop-team'],
    ['the email when no owner is given', {}, 'team@example.com'],
  ])('names %s as the owner', (_case, change, owner) => {
    // Act
    const request = parseRequest({ ...minimal, ...change }, limits);

    // Assess
    expect(request.owner).toBe(owner);
  });

  it('fills the sizes not given and keeps those given', () => {
    // Act
    const { sizes } = parseRequest(
      { ...minimal, sizes: { maxSize: 5, instanceType: 't3.medium' } },
      limits
    );

    // Assess
    expect(sizes).toEqual({
      instanceType: 't3.medium',
      dbInstanceClass: 'db.t3.micro',
      dbAllocatedStorage: 100,
      minSize: 1,
      desiredCapacity: 2,
      maxSize: 5,
    });
  });

  it('checks a minimum against the default desired capacity', () => {
    // Act
    const problems = problemsOf({ ...minimal, sizes: { minSize: 3 } });

    // Assess
    expect(problems).toEqual([
      {
        field: 'sizes.minSize',
        message: 'must be at most desiredCapacity (2)',
      },
    ]);
  });

  it('reports the size order even when the sizes are otherwise wrong', () => {
    // Act
    const problems = problemsOf({
      ...minimal,
      sizes: { desiredCapacity: 4, maxSize: 3, instanceType: 'x1.huge' },
    });

    // Assess
    expect(problems.map((p) => p.field).sort()).toEqual([
      'sizes.desiredCapacity',
      'sizes.instanceType',
    ]);
  });

  it('lists the allowed values of a closed list', () => {
    // Act
    const problems = problemsOf(
      { ...minimal, sizes: { dbInstanceClass: 'db.t3.large' } },
      { ...limits, dbInstanceClasses: ['db.t3.micro', 'db.t3.small'] }
    );

    // Assess
    expect(problems).toEqual([
      {
        field: 'sizes.dbInstanceClass',
        message: 'must be one of db.t3.micro, db.t3.small',
      },
    ]);
  });

  it('names every unknown field of one object together', () => {
    // Act
    const problems = problemsOf({ ...minimal, colour: 1, size: 2 });

    // Assess
    expect(problems).toEqual([
      { field: 'colour, size', message: 'is not a known field' },
    ]);
  });

  it.each([
    ['a reserved prefix', { 'aws:cost': 'x' }, 'tags.aws:cost'],
    ['a character outside the tag set', { 'team#1': 'x' }, 'tags.team#1'],
    ['a value over 256 characters', { team: 'x'.repeat(257) }, 'tags.team'],
  ])('rejects a tag with %s', (_case, tags, field) => {
    // Act
    const problems = problemsOf({ ...minimal, tags });

    // Assess
    expect(problems.map((p) => p.field)).toEqual([field]);
  });

  it('rejects more than 20 tags', () => {
    // Prepare
    const tags = Object.fromEntries(
      Array.from({ length: 21 }, (_, i) => [`tag-${i}`, 'x'])
    );

    // Act
    const problems = problemsOf({ ...minimal, tags });

    // Assess
    expect(problems).toEqual([{ field: 'tags', message: 'at most 20 tags' }]);
  });

  it('accepts 20 tags', () => {
    // Prepare
    const tags = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`tag-${i}`, 'x'])
    );

    // Act
    const request = parseRequest({ ...minimal, tags }, limits);

    // Assess
    expect(Object.keys(request.tags)).toHaveLength(20);
  });
});

describe('environmentNamePattern', () => {
  it.each([
    ['abc', true],
    ['a-b', true],
    [`a${'b'.repeat(18)}c`, true],
    [`a${'b'.repeat(19)}c`, false],
    ['ab', false],
    ['a--', false],
    ['-ab', false],
    ['aBc', false],
  ])('matches %j: %s', (name, matches) => {
    // Act
    const result = environmentNamePattern.test(name);

    // Assess
    expect(result).toBe(matches);
  });
});
