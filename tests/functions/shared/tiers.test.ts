import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  requestParameters,
  stackNameOf,
  stackTags,
  type Tier,
  tiers,
} from '../../../functions/shared/tiers';
import { aRequest } from '../fixtures';

const repoRoot = join(__dirname, '..', '..', '..');

/** Parses YAML whose CloudFormation short tags need not be understood. */
function loadYaml(file: string): Record<string, unknown> {
  return parse(readFileSync(join(repoRoot, file), 'utf8'), {
    logLevel: 'silent',
  });
}

interface StartStackState {
  Resource?: string;
  Parameters?: { tier?: string; parameters?: Record<string, string> };
}

/** Parameter names the state machine passes to each tier's stack. */
function passedByStateMachine(): Record<string, string[]> {
  const { States } = loadYaml('statemachines/provision.asl.yaml') as {
    States: Record<string, StartStackState>;
  };
  const passed: Record<string, string[]> = {};
  for (const state of Object.values(States)) {
    const { tier, parameters = {} } = state.Parameters ?? {};
    if (state.Resource?.includes('StartStack') && tier) {
      passed[tier] = Object.keys(parameters).map((key) =>
        key.replace(/\.\$$/, '')
      );
    }
  }

  return passed;
}

describe('tiers', () => {
  it('creates network, then data, then compute', () => {
    // Assess
    expect(tiers).toEqual(['network', 'data', 'compute']);
  });

  describe('stackNameOf', () => {
    it('names a stack haven-<environment>-<tier>', () => {
      // Act
      const name = stackNameOf('shop-2', 'data');

      // Assess
      expect(name).toBe('haven-shop-2-data');
    });
  });

  describe('stackTags', () => {
    it("puts the request's tags first, then haven's own", () => {
      // Prepare
      const request = aRequest({
        name: 'shop',
        owner: 'shop-team',
        tags: { 'cost-center': 'c42', team: 'shop' },
      });

      // Act
      const tags = stackTags(request);

      // Assess
      expect(tags).toEqual([
        { Key: 'cost-center', Value: 'c42' },
        { Key: 'team', Value: 'shop' },
        { Key: 'haven:environment', Value: 'shop' },
        { Key: 'haven:owner', Value: 'shop-team' },
        { Key: 'haven:managed-by', Value: 'haven' },
      ]);
    });
  });

  describe('requestParameters', () => {
    const request = aRequest();
    const boundary = 'arn:aws:iam::123456789012:policy/haven-boundary';

    beforeEach(() => {
      jest.replaceProperty(process, 'env', {
        PERMISSIONS_BOUNDARY_ARN: boundary,
      });
    });

    afterEach(() => {
      jest.restoreAllMocks();
    });

    it('gives the network its NAT gateway choice', () => {
      // Act
      const parameters = requestParameters('network', request);

      // Assess
      expect(parameters).toEqual({
        EnvironmentName: 'demo',
        Owner: 'app-team',
        SingleNatGateway: 'true',
      });
    });

    it('gives the data tier its database size and production flag', () => {
      // Act
      const parameters = requestParameters('data', {
        ...request,
        production: true,
      });

      // Assess
      expect(parameters).toEqual({
        EnvironmentName: 'demo',
        Owner: 'app-team',
        DBInstanceClass: 'db.t3.small',
        DBAllocatedStorage: '50',
        Production: 'true',
        ClusterSecurityGroupId: '',
      });
    });

    it('gives the compute tier its sizes, app and email', () => {
      // Act
      const parameters = requestParameters('compute', {
        ...request,
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/c-1',
      });

      // Assess
      expect(parameters).toEqual({
        EnvironmentName: 'demo',
        Owner: 'app-team',
        NotificationEmail: 'team@example.com',
        InstanceType: 't3.small',
        MinSize: '2',
        DesiredCapacity: '2',
        MaxSize: '4',
        CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/c-1',
        AppRepository: 'https://git.example.com/team/app.git',
        AppRef: 'release-1',
        AppDirectory: 'src/app',
        PermissionsBoundaryArn: boundary,
      });
    });

    it('passes an empty boundary when the platform sets none', () => {
      // Prepare
      jest.replaceProperty(process, 'env', {});

      // Act
      const { PermissionsBoundaryArn } = requestParameters('compute', request);

      // Assess
      expect(PermissionsBoundaryArn).toBe('');
    });

    it('passes an empty certificate when the request has none', () => {
      // Act
      const { CertificateArn } = requestParameters('compute', request);

      // Assess
      expect(CertificateArn).toBe('');
    });

    describe.each(tiers)('with the %s template', (tier: Tier) => {
      const template = loadYaml(`templates/${tier}.yaml`) as {
        Parameters: Record<string, { Default?: unknown }>;
      };
      const given = [
        ...Object.keys(requestParameters(tier, request)),
        ...(passedByStateMachine()[tier] ?? []),
      ];

      it('passes only parameters the template declares', () => {
        // Act
        const unknown = given.filter((key) => !(key in template.Parameters));

        // Assess
        expect(unknown).toEqual([]);
      });

      it('passes every parameter that has no default', () => {
        // Act
        const missing = Object.entries(template.Parameters)
          .filter(([key, p]) => p.Default === undefined && !given.includes(key))
          .map(([key]) => key);

        // Assess
        expect(missing).toEqual([]);
      });
    });
  });
});
