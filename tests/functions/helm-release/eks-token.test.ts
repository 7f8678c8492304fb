import { createHash, createHmac } from 'node:crypto';
import { eksToken, eksTokenPrefix } from '../../../functions/shared/eks-token';
import { kubeconfig } from '../../../functions/shared/kubeconfig';

// The example keys of the AWS documentation; no account has them.
const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const signingDate = new Date('2026-12-03T12:00:00Z');

function decode(token: string): URL {
  return new URL(
    Buffer.from(token.slice(eksTokenPrefix.length), 'base64url').toString()
  );
}

const hmac = (key: Buffer | string, text: string) =>
  createHmac('sha256', key).update(text).digest();

/**
 * Signature Version 4 written out from the specification, apart from the
 * signer under test, for a presigned GET with an empty body.
 */
function expectedSignature(url: URL, secret: string, cluster: string) {
  const params = [...url.searchParams.entries()]
    .filter(([key]) => key !== 'X-Amz-Signature')
    .map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)])
    .sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonical = [
    'GET',
    '/',
    params,
    `host:${url.hostname}`,
    `x-k8s-aws-id:${cluster}`,
    '',
    'host;x-k8s-aws-id',
    createHash('sha256').update('').digest('hex'),
  ].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date') ?? '';
  const scope = `${amzDate.slice(0, 8)}/us-east-1/sts/aws4_request`;
  const toSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  let key = hmac(`AWS4${secret}`, amzDate.slice(0, 8));
  for (const part of ['us-east-1', 'sts', 'aws4_request']) {
    key = hmac(key, part);
  }

  return createHmac('sha256', key).update(toSign).digest('hex');
}

describe('eksToken', () => {
  const make = (
    extra: Partial<typeof credentials> & { sessionToken?: string } = {}
  ) =>
    eksToken({
      clusterName: 'demo-eks',
      region: 'us-east-1',
      credentials: { ...credentials, ...extra },
      signingDate,
    });

  it('is k8s-aws-v1. and base64url without padding', async () => {
    const token = await make();

    expect(token.startsWith('k8s-aws-v1.')).toBe(true);
    expect(token.slice(eksTokenPrefix.length)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('presigns GetCallerIdentity on the regional STS endpoint', async () => {
    const url = decode(await make());

    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe(
      'https://sts.us-east-1.amazonaws.com/'
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      Action: 'GetCallerIdentity',
      Version: '2011-06-15',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIDEXAMPLE/20261203/us-east-1/sts/aws4_request',
      'X-Amz-Date': '20261203T120000Z',
      'X-Amz-Expires': '60',
      'X-Amz-SignedHeaders': 'host;x-k8s-aws-id',
      'X-Amz-Signature': expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('encodes the slashes of the credential scope', async () => {
    const raw = Buffer.from(
      (await make()).slice(eksTokenPrefix.length),
      'base64url'
    ).toString();

    expect(raw).toContain(
      'X-Amz-Credential=AKIDEXAMPLE%2F20261203%2Fus-east-1%2Fsts%2Faws4_request'
    );
  });

  it('carries the signature SigV4 gives for the cluster header', async () => {
    const url = decode(await make());

    expect(url.searchParams.get('X-Amz-Signature')).toBe(
      expectedSignature(url, credentials.secretAccessKey, 'demo-eks')
    );
  });

  it('signs a different token for another cluster', async () => {
    const other = await eksToken({
      clusterName: 'other-eks',
      region: 'us-east-1',
      credentials,
      signingDate,
    });

    expect(other).not.toBe(await make());
  });

  it('includes and signs the session token of temporary credentials', async () => {
    const url = decode(await make({ sessionToken: 'session/token+value' }));

    expect(url.searchParams.get('X-Amz-Security-Token')).toBe(
      'session/token+value'
    );
    expect(url.searchParams.get('X-Amz-Signature')).toBe(
      expectedSignature(url, credentials.secretAccessKey, 'demo-eks')
    );
  });

  it('is the same for the same input and time', async () => {
    expect(await make()).toBe(await make());
  });
});

describe('kubeconfig', () => {
  it('holds one cluster, user and context with the token', () => {
    const config = JSON.parse(
      kubeconfig({
        clusterName: 'demo-eks',
        endpoint: 'https://ABC.gr7.us-east-1.eks.amazonaws.com',
        certificateAuthority: 'LS0tLS1CRUdJTg==',
        token: 'k8s-aws-v1.abc',
      })
    );

    expect(config).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'demo-eks',
          cluster: {
            server: 'https://ABC.gr7.us-east-1.eks.amazonaws.com',
            'certificate-authority-data': 'LS0tLS1CRUdJTg==',
          },
        },
      ],
      users: [{ name: 'demo-eks', user: { token: 'k8s-aws-v1.abc' } }],
      contexts: [
        {
          name: 'demo-eks',
          context: { cluster: 'demo-eks', user: 'demo-eks' },
        },
      ],
      'current-context': 'demo-eks',
      preferences: {},
    });
  });
});
