import { consoleUrlOf } from '../../../functions/shared/workflow';

describe('consoleUrlOf', () => {
  it.each([
    [
      'arn:aws:states:eu-west-1:123456789012:execution:provision:run-1',
      'https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1',
    ],
    [
      'arn:aws-cn:states:cn-north-1:123456789012:execution:provision:run-1',
      'https://cn-north-1.console.amazonaws.cn/states/home?region=cn-north-1',
    ],
    [
      'arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:p:run-1',
      'https://us-gov-west-1.console.amazonaws-us-gov.com/states/home' +
        '?region=us-gov-west-1',
    ],
  ])('links %s on the console of its partition', (arn, page) => {
    // Act
    const url = consoleUrlOf(arn);

    // Assess
    expect(url).toBe(`${page}#/v2/executions/details/${arn}`);
  });

  it('falls back to us-east-1 for an ARN without a region', () => {
    // Act
    const url = consoleUrlOf('run-1');

    // Assess
    expect(url).toBe(
      'https://us-east-1.console.aws.amazon.com/states/home' +
        '?region=us-east-1#/v2/executions/details/run-1'
    );
  });
});
