import {
  bodyLimitBytes,
  parseBody,
} from '../../../functions/create-environment/body';
import { platformLimits } from '../../../functions/shared/defaults';
import {
  BadRequestError,
  PayloadTooLargeError,
} from '../../../functions/shared/http-errors';

const owner = 'arn:aws:iam::123456789012:role/team-a';
const limits = platformLimits({});
const valid = {
  name: 'demo',
  notificationEmail: 'team@example.com',
  app: { repository: 'https://git.example.com/team/app.git' },
};

function problemsOf(body: string | null): { field: string; message: string }[] {
  try {
    parseBody(body, false, owner, limits);
  } catch (error) {
    if (error instanceof BadRequestError) return error.problems;
    throw error;
  }
  throw new Error('the body was accepted');
}

describe('parseBody', () => {
  it('fills in the defaults and makes the caller the owner', () => {
    const { request, dryRun } = parseBody(
      JSON.stringify(valid),
      false,
      owner,
      limits
    );

    expect(dryRun).toBe(false);
    expect(request.owner).toBe(owner);
    expect(request.sizes.instanceType).toBe('t2.micro');
  });

  it('reads a base64 body as API Gateway may pass it', () => {
    const body = Buffer.from(JSON.stringify({ ...valid, dryRun: true }));
    const parsed = parseBody(body.toString('base64'), true, owner, limits);

    expect(parsed.dryRun).toBe(true);
  });

  it.each([
    ['no body', null, '(body)', /is required/],
    ['an empty body', '  ', '(body)', /is required/],
    ['a body that is not JSON', '{"name": ', '(body)', /is not valid JSON/],
    ['a JSON array', '[]', '(body)', /must be a JSON object/],
    ['a JSON string', '"demo"', '(body)', /must be a JSON object/],
    [
      'an owner, which is the caller',
      JSON.stringify({ ...valid, owner: 'someone-else' }),
      'owner',
      /caller's IAM identity/,
    ],
    [
      'a dryRun that is not a boolean',
      JSON.stringify({ ...valid, dryRun: 'yes' }),
      'dryRun',
      /must be true or false/,
    ],
    [
      'a bad name',
      JSON.stringify({ ...valid, name: 'Demo_1' }),
      'name',
      /must be 3 to 20/,
    ],
    [
      'no email',
      JSON.stringify({ ...valid, notificationEmail: undefined }),
      'notificationEmail',
      /email address/,
    ],
    [
      'an instance type the platform does not allow',
      JSON.stringify({ ...valid, sizes: { instanceType: 'm5.24xlarge' } }),
      'sizes.instanceType',
      /must be one of/,
    ],
    [
      'a desired capacity above the maximum',
      JSON.stringify({ ...valid, sizes: { desiredCapacity: 5, maxSize: 3 } }),
      'sizes.desiredCapacity',
      /at most maxSize/,
    ],
    [
      'a field the schema does not know',
      JSON.stringify({ ...valid, colour: 'blue' }),
      'colour',
      /is not a known field/,
    ],
    [
      'a reserved tag key',
      JSON.stringify({ ...valid, tags: { 'haven:owner': 'me' } }),
      'tags.haven:owner',
      /reserved/,
    ],
  ])('rejects %s, naming the field', (_case, body, field, message) => {
    const problems = problemsOf(body);

    expect(problems).toContainEqual({
      field,
      message: expect.stringMatching(message),
    });
  });

  it('names every bad field of one body at once', () => {
    const problems = problemsOf(
      JSON.stringify({ name: 'X', notificationEmail: 'x', owner: 'y' })
    );

    expect(problems.map((p) => p.field)).toEqual(
      expect.arrayContaining(['name', 'notificationEmail', 'owner'])
    );
  });

  it('refuses a body larger than the limit before reading it', () => {
    const body = JSON.stringify({ ...valid, pad: 'x'.repeat(bodyLimitBytes) });

    expect(() => parseBody(body, false, owner, limits)).toThrow(
      PayloadTooLargeError
    );
  });
});
