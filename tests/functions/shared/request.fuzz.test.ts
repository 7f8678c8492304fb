import fc from 'fast-check';
import { platformLimits } from '../../../functions/shared/defaults';
import { RequestValidationError } from '../../../functions/shared/errors';
import { parseRequest } from '../../../functions/shared/request';

/**
 * Hostile input: whatever a caller sends, the validator either accepts it
 * or rejects it with RequestValidationError naming each bad field. Nothing
 * else escapes it, so the state machine's Catch always reads a typed error.
 */

const limits = platformLimits({
  DEFAULT_APP_REPOSITORY: '',
});

const valid = {
  name: 'fuzz',
  notificationEmail: 'team@example.com',
  app: { repository: 'https://git.example.com/team/app.git' },
};

const fields = [
  'name',
  'notificationEmail',
  'owner',
  'sizes',
  'app',
  'singleNatGateway',
  'certificateArn',
  'production',
  'rollbackOnFailure',
  'tags',
  '__proto__',
  'constructor',
];

/** What parseRequest did with one input: accepted, or rejected properly. */
function outcome(input: unknown): 'accepted' | 'rejected' {
  try {
    parseRequest(input, limits);

    return 'accepted';
  } catch (error) {
    if (!(error instanceof RequestValidationError)) throw error;
    expect(error.problems.length).toBeGreaterThan(0);
    for (const problem of error.problems) {
      expect(problem.field).toMatch(/\S/);
      expect(problem.message).toMatch(/\S/);
    }

    return 'rejected';
  }
}

const hostile = fc.oneof(
  fc.anything({ withBigInt: true, withDate: true, withMap: true }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 2 ** 53 + 1)
);

describe('parseRequest under hostile input', () => {
  it('throws nothing but RequestValidationError for any value', () => {
    fc.assert(
      fc.property(hostile, (input) => void outcome(input)),
      {
        numRuns: 500,
      }
    );
  });

  it('names a field for every problem of a request with bad fields', () => {
    const mutated = fc
      .dictionary(fc.constantFrom(...fields), hostile, { minKeys: 1 })
      .map((changes) => ({ ...valid, ...changes }));

    fc.assert(
      fc.property(mutated, (input) => void outcome(input)),
      {
        numRuns: 500,
      }
    );
  });

  it('rejects deep and oversized values without failing otherwise', () => {
    const deep = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.dictionary(fc.string(), tie('node'))
      ),
    })).node;
    const large = fc.record({
      name: fc.string({ minLength: 1000, maxLength: 5000 }),
      tags: fc.dictionary(fc.string(), fc.string(), { minKeys: 21 }),
      sizes: deep,
      app: deep,
    });

    fc.assert(
      fc.property(large, (input) => {
        expect(outcome({ ...valid, ...input })).toBe('rejected');
      }),
      { numRuns: 100 }
    );
  });

  it('accepts the valid request it starts from', () => {
    expect(outcome(valid)).toBe('accepted');
  });
});
