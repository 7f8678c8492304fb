import {
  type EksTokenInput,
  eksToken,
  eksTokenPrefix,
} from '../../../functions/shared/eks-token';

const input: EksTokenInput = {
  clusterName: 'haven-demo',
  region: 'eu-west-1',
  credentials: {
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    sessionToken: 'session/token+1',
  },
  signingDate: new Date('2024-05-01T10:00:00.000Z'),
};

/** The presigned URL inside a token. */
function urlOf(token: string): URL {
  return new URL(
    Buffer.from(token.slice(eksTokenPrefix.length), 'base64url').toString()
  );
}

describe('eksToken', () => {
  it('is a prefixed base64url token without padding', async () => {
    // Act
    const token = await eksToken(input);

    // Assess
    expect(token.startsWith('k8s-aws-v1.')).toBe(true);
    expect(token.slice(eksTokenPrefix.length)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('presigns GetCallerIdentity on the regional STS for 60 seconds', async () => {
    // Act
    const url = urlOf(await eksToken(input));

    // Assess
    expect(url.origin).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      Action: 'GetCallerIdentity',
      Version: '2011-06-15',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIDEXAMPLE/20240501/eu-west-1/sts/aws4_request',
      'X-Amz-Date': '20240501T100000Z',
      'X-Amz-Expires': '60',
      'X-Amz-Security-Token': 'session/token+1',
      'X-Amz-SignedHeaders': 'host;x-k8s-aws-id',
    });
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signs the same input the same way and another cluster differently', async () => {
    // Act
    const [first, again, other] = await Promise.all([
      eksToken(input),
      eksToken(input),
      eksToken({ ...input, clusterName: 'haven-shop' }),
    ]);

    // Assess
    expect(again).toBe(first);
    expect(urlOf(other).searchParams.get('X-Amz-Signature')).not.toBe(
      urlOf(first).searchParams.get('X-Amz-Signature')
    );
  });
});
