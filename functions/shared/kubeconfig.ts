/** Where a cluster's API answers and how to trust and call it. */
export interface KubeconfigInput {
  clusterName: string;
  /** The API server's https URL (DescribeCluster endpoint). */
  endpoint: string;
  /** The cluster's CA, base64 PEM as DescribeCluster returns it. */
  certificateAuthority: string;
  /** A bearer token, such as the one eksToken makes. */
  token: string;
}

/**
 * A kubeconfig with one cluster, one user holding a static bearer token
 * and one context joining them. A static token rather than an exec plugin:
 * Lambda has no AWS CLI, and one invocation ends long before the token's
 * 15 minutes do. Written as JSON, which kubectl and helm read as YAML, so
 * the function needs no YAML library.
 */
export function kubeconfig(input: KubeconfigInput): string {
  const name = input.clusterName;

  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name,
          cluster: {
            server: input.endpoint,
            'certificate-authority-data': input.certificateAuthority,
          },
        },
      ],
      users: [{ name, user: { token: input.token } }],
      contexts: [{ name, context: { cluster: name, user: name } }],
      'current-context': name,
      preferences: {},
    },
    null,
    2
  );
}
