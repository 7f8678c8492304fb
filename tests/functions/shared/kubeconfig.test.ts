import { kubeconfig } from '../../../functions/shared/kubeconfig';

describe('kubeconfig', () => {
  it('joins one cluster and one token user in the current context', () => {
    // Act
    const config = JSON.parse(
      kubeconfig({
        clusterName: 'haven-demo',
        endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
        certificateAuthority: 'LS0tLS1CRUdJTg==',
        token: 'k8s-aws-v1.abc',
      })
    );

    // Assess
    expect(config).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'haven-demo',
          cluster: {
            server: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
            'certificate-authority-data': 'LS0tLS1CRUdJTg==',
          },
        },
      ],
      users: [{ name: 'haven-demo', user: { token: 'k8s-aws-v1.abc' } }],
      contexts: [
        {
          name: 'haven-demo',
          context: { cluster: 'haven-demo', user: 'haven-demo' },
        },
      ],
      'current-context': 'haven-demo',
      preferences: {},
    });
  });
});
