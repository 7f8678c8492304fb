import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';

/** What every EKS bearer token starts with. */
export const eksTokenPrefix = 'k8s-aws-v1.';

/**
 * X-Amz-Expires of the presigned URL: 60, as the AWS CLI signs it. EKS
 * bounds the life of a token to 15 minutes by itself.
 */
export const eksTokenExpiresSeconds = 60;

/** What an EKS bearer token is made of. */
export interface EksTokenInput {
  clusterName: string;
  region: string;
  credentials: AwsCredentialIdentity;
  /** The signing time; the current time unless a test fixes it. */
  signingDate?: Date;
}

// RFC 3986: encodeURIComponent leaves !'()* alone, SigV4 escapes them.
function uriEscape(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
  );
}

/**
 * Makes the bearer token that EKS accepts as the identity of the caller,
 * as `aws eks get-token` does, without the AWS CLI: a presigned STS
 * GetCallerIdentity URL on the regional endpoint, the cluster's name in the
 * signed header x-k8s-aws-id (so the token is good for that cluster only),
 * encoded as base64url without padding.
 */
export async function eksToken(input: EksTokenInput): Promise<string> {
  const hostname = `sts.${input.region}.amazonaws.com`;
  const signer = new SignatureV4({
    service: 'sts',
    region: input.region,
    credentials: input.credentials,
    sha256: Hash.bind(null, 'sha256'),
  });
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, 'x-k8s-aws-id': input.clusterName },
    },
    {
      expiresIn: eksTokenExpiresSeconds,
      signingDate: input.signingDate,
    }
  );
  const query = Object.entries(presigned.query ?? {})
    .map(([key, value]) => `${uriEscape(key)}=${uriEscape(String(value))}`)
    .join('&');
  const url = `https://${hostname}/?${query}`;

  return `${eksTokenPrefix}${Buffer.from(url).toString('base64url')}`;
}
