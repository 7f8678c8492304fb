import { helm } from '../support/helm';
import { chartDir, find, kinds, render, scenarios } from './render';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

interface Probe {
  httpGet: { path: string; port: string };
  timeoutSeconds: number;
}

interface ContainerPort {
  name: string;
  containerPort: number;
  protocol: string;
}

interface Container {
  image: string;
  ports: ContainerPort[];
  imagePullPolicy: string;
  env: EnvVar[];
  livenessProbe: Probe;
  readinessProbe: Probe;
  resources: { requests: { cpu: string } };
  securityContext: Record<string, unknown>;
}

interface PodSpec {
  securityContext: { runAsNonRoot: boolean; runAsUser: number };
  containers: Container[];
}

interface DeploymentSpec {
  replicas?: number;
  template: {
    metadata: { annotations: Record<string, string> };
    spec: PodSpec;
  };
}

const chart = 'django-app';

function deploymentSpec(rendered: ReturnType<typeof render>) {
  return find(rendered, 'Deployment').spec as DeploymentSpec;
}

function appContainer(rendered: ReturnType<typeof render>): Container {
  return deploymentSpec(rendered).template.spec.containers[0] as Container;
}

describe('the django-app chart', () => {
  it('passes helm lint --strict with its default values', () => {
    const result = helm(['lint', '--strict', chartDir(chart)]);

    expect(result.stdout).toContain('0 chart(s) failed');
    expect(result.status).toBe(0);
  });

  it.each(scenarios(chart))('passes helm lint --strict with %s', (file) => {
    const result = helm(['lint', '--strict', chartDir(chart), '-f', file]);

    expect(result.status).toBe(0);
  });

  it.each(scenarios(chart))('renders with %s', (file) => {
    expect(() => render(chart, { valuesFiles: [file] })).not.toThrow();
  });

  describe('with its default values', () => {
    const rendered = render(chart);

    it('renders the resources of the reference design', () => {
      expect(kinds(rendered)).toEqual([
        'Deployment',
        'HorizontalPodAutoscaler',
        'Pod',
        'PodDisruptionBudget',
        'Secret',
        'Service',
        'ServiceAccount',
      ]);
    });

    it('runs image v2 with pull policy Always', () => {
      const container = appContainer(rendered);

      expect(container.image).toBe('franklynux/cognetiks_django_app:v2');
      expect(container.imagePullPolicy).toBe('Always');
    });

    it.each(['livenessProbe', 'readinessProbe'] as const)(
      'points the %s at /health/ on the http port',
      (probe) => {
        expect(appContainer(rendered)[probe].httpGet).toEqual({
          path: '/health/',
          port: 'http',
        });
        // Above the app's 3 s database connect timeout.
        expect(appContainer(rendered)[probe].timeoutSeconds).toBeGreaterThan(3);
      }
    );

    it('scales from 2 to 5 pods at 80 % CPU with autoscaling/v2', () => {
      const hpa = find(rendered, 'HorizontalPodAutoscaler');

      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec).toEqual({
        scaleTargetRef: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'django-app',
        },
        minReplicas: 2,
        maxReplicas: 5,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: 80 },
            },
          },
        ],
      });
      // The HPA owns the replica count; a fixed one would fight it.
      expect(deploymentSpec(rendered).replicas).toBeUndefined();
      expect(appContainer(rendered).resources.requests.cpu).toBe('100m');
    });

    it('publishes port 8000 alone on a LoadBalancer Service', () => {
      const service = find(rendered, 'Service').spec as {
        type: string;
        ports: { port: number; targetPort: string }[];
      };

      expect(service.type).toBe('LoadBalancer');
      expect(service.ports).toEqual([
        { name: 'http', port: 8000, targetPort: 'http', protocol: 'TCP' },
      ]);
    });

    it('keeps the metrics port 9100 off every Service', () => {
      const services = rendered.manifests.filter((m) => m.kind === 'Service');
      const ports = services.flatMap(
        (s) =>
          (s.spec as { ports: { port: number; targetPort: unknown }[] }).ports
      );

      expect(ports.map((p) => p.port)).not.toContain(9100);
      expect(ports.map((p) => p.targetPort)).not.toContain(9100);
      expect(ports.map((p) => p.targetPort)).not.toContain('metrics');
    });

    it('binds the metrics port in the container through METRICS_PORT', () => {
      const container = appContainer(rendered);

      expect(container.ports).toEqual([
        { name: 'http', containerPort: 8000, protocol: 'TCP' },
        { name: 'metrics', containerPort: 9100, protocol: 'TCP' },
      ]);
      expect(container.env).toContainEqual({
        name: 'METRICS_PORT',
        value: '9100',
      });
      expect(container.env).toContainEqual({
        name: 'GUNICORN_BIND',
        value: '0.0.0.0:8000',
      });
    });

    it('asks Prometheus to scrape /metrics on port 9100', () => {
      const annotations =
        deploymentSpec(rendered).template.metadata.annotations;

      expect(annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/path': '/metrics',
        'prometheus.io/port': '9100',
      });
    });

    it('runs as a non-root user with a read-only root file system', () => {
      const pod = deploymentSpec(rendered).template.spec;

      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 10001,
      });
      expect(appContainer(rendered).securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
    });

    it('reads every DATABASE_* variable from the database Secret', () => {
      const database = appContainer(rendered).env.filter((v) =>
        v.name.startsWith('DATABASE_')
      );

      expect(database.map((v) => v.name).sort()).toEqual([
        'DATABASE_HOST',
        'DATABASE_NAME',
        'DATABASE_PASSWORD',
        'DATABASE_PORT',
        'DATABASE_USER',
      ]);
      for (const variable of database) {
        expect(variable.value).toBeUndefined();
        expect(variable.valueFrom?.secretKeyRef?.name).toBe(
          'django-app-database'
        );
      }
    });

    it('creates no database Secret of its own', () => {
      const secrets = rendered.manifests.filter((m) => m.kind === 'Secret');

      expect(secrets.map((s) => s.metadata.name)).toEqual([
        'django-app-django',
      ]);
    });

    it('has a helm test pod that requests /health/ through the Service', () => {
      const test = find(rendered, 'Pod');
      const args = (test.spec as { containers: { args: string[] }[] })
        .containers[0]?.args;

      expect(test.metadata.annotations?.['helm.sh/hook']).toBe('test');
      expect(args).toContain('http://django-app:8000/health/');
      expect(args).toContain('--fail');
    });
  });

  describe('with the ingress scenario', () => {
    const rendered = render(chart, {
      valuesFiles: ['templates/charts/django-app/ci/ingress-values.yaml'],
    });

    it('routes an ALB Ingress to an internal Service', () => {
      const ingress = find(rendered, 'Ingress');

      expect(
        (ingress.spec as { ingressClassName: string }).ingressClassName
      ).toBe('alb');
      expect(ingress.metadata.annotations).toMatchObject({
        'alb.ingress.kubernetes.io/healthcheck-path': '/health/',
      });
      expect((find(rendered, 'Service').spec as { type: string }).type).toBe(
        'ClusterIP'
      );
    });
  });

  describe('with the fixed-replicas scenario', () => {
    const rendered = render(chart, {
      valuesFiles: [
        'templates/charts/django-app/ci/fixed-replicas-values.yaml',
      ],
    });

    it('runs 3 pods and no HPA', () => {
      expect(deploymentSpec(rendered).replicas).toBe(3);
      expect(kinds(rendered)).not.toContain('HorizontalPodAutoscaler');
    });
  });

  describe('with the minimal scenario', () => {
    const rendered = render(chart, {
      valuesFiles: ['templates/charts/django-app/ci/minimal-values.yaml'],
    });

    it('renders no HPA, PDB or ServiceAccount and no scrape annotations', () => {
      const annotations =
        deploymentSpec(rendered).template.metadata.annotations;

      expect(kinds(rendered)).toEqual([
        'Deployment',
        'Pod',
        'Secret',
        'Service',
      ]);
      expect(Object.keys(annotations)).toEqual(['checksum/django-secret']);
    });

    it('still keeps /metrics on its own port', () => {
      expect(appContainer(rendered).env).toContainEqual({
        name: 'METRICS_PORT',
        value: '9100',
      });
    });
  });

  describe.each(scenarios(chart))('rendered with %s', (file) => {
    const rendered = render(chart, { valuesFiles: [file] });

    it('carries no password in plain text', () => {
      expect(rendered.text).not.toContain('local-only-password');
      expect(rendered.text).not.toMatch(/stringData:/);
      expect(rendered.text).not.toMatch(/PASSWORD\s*\n\s*value:/);
    });
  });

  describe('values.schema.json', () => {
    it.each([
      ['an unknown service type', 'service.type=NodeBalancer'],
      [
        'a CPU target above 100 %',
        'autoscaling.targetCPUUtilizationPercentage=150',
      ],
      ['an unknown top-level value', 'replicas=3'],
      ['a pull policy outside the enum', 'image.pullPolicy=Sometimes'],
      [
        'a local Secret without a password',
        'database.localSecret.enabled=true',
      ],
    ])('rejects %s', (_case, value) => {
      expect(() => render(chart, { set: [value] })).toThrow(
        /values don't meet the specifications of the schema/
      );
    });

    it('refuses a metrics port equal to the app port', () => {
      expect(() => render(chart, { set: ['metrics.port=8000'] })).toThrow(
        /metrics.port must differ from containerPort/
      );
    });

    it('fails helm lint for a value the schema rejects', () => {
      const result = helm([
        'lint',
        chartDir(chart),
        '--set',
        'service.type=NodeBalancer',
      ]);

      expect(result.status).not.toBe(0);
    });
  });
});
