import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { helm } from '../support/helm';
import { chartDir, find, render, scenarios } from './render';

const chart = 'monitoring';

/** The reference design's dashboard queries, verbatim. */
const referenceQueries = {
  'application.json': [
    'sum(rate(django_http_requests_total_by_method_total{job="django-app-scraping"}[5m]))',
    'histogram_quantile(0.95, sum(rate(' +
      'django_http_requests_latency_including_middlewares_seconds_bucket' +
      '{job="django-app-scraping"}[5m])) by (le))',
    '100 * sum(rate(django_http_responses_total_by_status_total' +
      '{job="django-app-scraping",status=~"5.."}[5m])) / clamp_min(sum(rate(' +
      'django_http_responses_total_by_status_total' +
      '{job="django-app-scraping"}[5m])), 1e-9)',
  ],
  'infrastructure.json': [
    'sum(rate(process_cpu_seconds_total{job="django-app-scraping",namespace="django-app"}[5m]))',
    'sum(process_resident_memory_bytes{job="django-app-scraping",namespace="django-app"})',
    '100 * avg_over_time(up{job="django-app-scraping",namespace="django-app"}[5m])',
  ],
};

interface Dashboard {
  uid: string;
  panels: {
    datasource: { uid: string };
    targets: { expr: string; datasource: { uid: string } }[];
  }[];
}

const dashboardsDir = join(chartDir(chart), 'files', 'dashboards');

function dashboard(file: string): Dashboard {
  return JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8'));
}

interface RelabelConfig {
  source_labels?: string[];
  target_label?: string;
  action?: string;
  regex?: string;
  replacement?: string;
}

interface ScrapeConfig {
  job_name: string;
  static_configs?: { targets: string[] }[];
  kubernetes_sd_configs?: {
    role: string;
    namespaces: { names: string[] };
  }[];
  relabel_configs?: RelabelConfig[];
}

function prometheusConfig(rendered: ReturnType<typeof render>) {
  const configMap = find(rendered, 'ConfigMap', 'monitoring-prometheus');
  const data = configMap.data as { 'prometheus.yml': string };

  return parse(data['prometheus.yml']) as {
    scrape_configs: ScrapeConfig[];
    rule_files?: string[];
  };
}

interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function alertRules(rendered: ReturnType<typeof render>): AlertRule[] {
  const configMap = find(rendered, 'ConfigMap', 'monitoring-prometheus-rules');
  const data = configMap.data as { 'alerts.yml': string };
  const { groups } = parse(data['alerts.yml']) as {
    groups: { name: string; rules: AlertRule[] }[];
  };

  return groups.flatMap((group) => group.rules);
}

function alertRule(rendered: ReturnType<typeof render>, name: string) {
  const found = alertRules(rendered).find((rule) => rule.alert === name);
  if (!found) throw new Error(`no alert rule ${name}`);

  return found;
}

/** The flattened expression, so tests match it regardless of line breaks. */
function oneLine(expr: string): string {
  return expr.replace(/\s+/g, ' ').trim();
}

interface PrometheusPod {
  volumes: { name: string; configMap?: { name: string } }[];
  containers: { volumeMounts: { name: string; mountPath: string }[] }[];
}

function prometheusPod(rendered: ReturnType<typeof render>): PrometheusPod {
  const spec = find(rendered, 'Deployment', 'monitoring-prometheus').spec as {
    template: { spec: PrometheusPod };
  };

  return spec.template.spec;
}

function job(rendered: ReturnType<typeof render>, name: string) {
  const found = prometheusConfig(rendered).scrape_configs.find(
    (config) => config.job_name === name
  );
  if (!found) throw new Error(`no scrape job ${name}`);

  return found;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

function grafanaEnv(rendered: ReturnType<typeof render>): EnvVar[] {
  const spec = find(rendered, 'Deployment', 'monitoring-grafana').spec as {
    template: { spec: { containers: { env: EnvVar[] }[] } };
  };

  return spec.template.spec.containers[0]?.env ?? [];
}

describe('the monitoring chart', () => {
  it('passes helm lint --strict with its default values', () => {
    expect(helm(['lint', '--strict', chartDir(chart)]).status).toBe(0);
  });

  it.each(scenarios(chart))('passes helm lint --strict with %s', (file) => {
    const result = helm(['lint', '--strict', chartDir(chart), '-f', file]);

    expect(result.status).toBe(0);
  });

  describe('with its default values', () => {
    const rendered = render(chart);

    it('scrapes the annotated pods of django-app as django-app-scraping', () => {
      const scraping = job(rendered, 'django-app-scraping');

      expect(scraping.kubernetes_sd_configs).toEqual([
        { role: 'pod', namespaces: { names: ['django-app'] } },
      ]);
      expect(scraping.relabel_configs).toContainEqual({
        source_labels: [
          '__meta_kubernetes_pod_annotation_prometheus_io_scrape',
        ],
        action: 'keep',
        regex: 'true',
      });
    });

    it('scrapes each pod on the port its prometheus.io/port names', () => {
      expect(
        job(rendered, 'django-app-scraping').relabel_configs
      ).toContainEqual({
        source_labels: [
          '__address__',
          '__meta_kubernetes_pod_annotation_prometheus_io_port',
        ],
        action: 'replace',
        regex: '([^:]+)(?::\\d+)?;(\\d+)',
        replacement: '$1:$2',
        target_label: '__address__',
      });
    });

    it('labels every sample of the app with its namespace', () => {
      expect(
        job(rendered, 'django-app-scraping').relabel_configs
      ).toContainEqual({
        source_labels: ['__meta_kubernetes_namespace'],
        target_label: 'namespace',
      });
    });

    it('scrapes Prometheus itself', () => {
      expect(job(rendered, 'prometheus').static_configs).toEqual([
        { targets: ['localhost:9090'] },
      ]);
    });

    it('lets Prometheus list pods only in the scraped namespace', () => {
      const role = find(rendered, 'Role');

      expect(role.metadata.namespace).toBe('django-app');
      expect(role.rules).toEqual([
        {
          apiGroups: [''],
          resources: ['pods'],
          verbs: ['get', 'list', 'watch'],
        },
      ]);
      expect(rendered.manifests.map((m) => m.kind)).not.toContain(
        'ClusterRole'
      );
    });

    it('keeps both Services internal', () => {
      const services = rendered.manifests.filter((m) => m.kind === 'Service');

      expect(
        services.map((s) => [
          s.metadata.name,
          (s.spec as { type: string }).type,
        ])
      ).toEqual([
        ['monitoring-grafana', 'ClusterIP'],
        ['monitoring-prometheus', 'ClusterIP'],
      ]);
    });

    it('gives Grafana its administrator from the generated Secret', () => {
      const env = grafanaEnv(rendered);
      const password = env.find((v) => v.name === 'GF_SECURITY_ADMIN_PASSWORD');

      expect(password?.value).toBeUndefined();
      expect(password?.valueFrom?.secretKeyRef).toEqual({
        name: 'monitoring-grafana',
        key: 'admin-password',
      });
    });

    it('generates a long random password, never admin', () => {
      const secret = find(rendered, 'Secret', 'monitoring-grafana');
      const data = secret.data as Record<string, string>;
      const password = Buffer.from(
        data['admin-password'] ?? '',
        'base64'
      ).toString();

      expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(secret.stringData).toBeUndefined();
      expect(rendered.text).not.toContain(password);
    });

    it('makes a new password on each first install', () => {
      const again = find(render(chart), 'Secret', 'monitoring-grafana');

      expect(again.data).not.toEqual(
        find(rendered, 'Secret', 'monitoring-grafana').data
      );
    });

    it('provisions Prometheus as the default datasource', () => {
      const provisioning = find(
        rendered,
        'ConfigMap',
        'monitoring-grafana-provisioning'
      ).data as Record<string, string>;
      const { datasources } = parse(provisioning['datasources.yaml'] ?? '');

      expect(datasources).toEqual([
        expect.objectContaining({
          uid: 'prometheus',
          type: 'prometheus',
          url: 'http://monitoring-prometheus.monitoring.svc:9090',
          isDefault: true,
        }),
      ]);
    });

    it('ships both dashboards in a ConfigMap', () => {
      const dashboards = find(
        rendered,
        'ConfigMap',
        'monitoring-grafana-dashboards'
      ).data as Record<string, string>;

      expect(Object.keys(dashboards).sort()).toEqual([
        'application.json',
        'infrastructure.json',
      ]);
      expect(JSON.parse(dashboards['application.json'] ?? '')).toEqual(
        dashboard('application.json')
      );
    });
  });

  describe('the alert rules', () => {
    const rendered = render(chart);

    it('are loaded by Prometheus from their own ConfigMap', () => {
      const pod = prometheusPod(rendered);

      expect(prometheusConfig(rendered).rule_files).toEqual([
        '/etc/prometheus-rules/*.yml',
      ]);
      expect(pod.volumes).toContainEqual({
        name: 'rules',
        configMap: { name: 'monitoring-prometheus-rules' },
      });
      expect(pod.containers[0]?.volumeMounts).toContainEqual({
        name: 'rules',
        mountPath: '/etc/prometheus-rules',
        readOnly: true,
      });
    });

    it('are exactly the error-rate and target-down alerts', () => {
      expect(alertRules(rendered).map((rule) => rule.alert)).toEqual([
        'DjangoAppHighErrorRate',
        'DjangoAppTargetDown',
      ]);
    });

    it('fire on a 5xx share above 5 % held for 5 minutes', () => {
      const rule = alertRule(rendered, 'DjangoAppHighErrorRate');

      expect(oneLine(rule.expr)).toBe(
        'sum by (namespace) (rate(django_http_responses_total_by_status_total' +
          '{job="django-app-scraping",status=~"5.."}[5m]))' +
          ' / sum by (namespace) (rate(' +
          'django_http_responses_total_by_status_total' +
          '{job="django-app-scraping"}[5m]))' +
          ' > 0.05'
      );
      expect(rule.for).toBe('5m');
      expect(rule.labels).toEqual({ severity: 'critical' });
    });

    it('fire on a pod that fails its scrapes for 2 minutes', () => {
      const rule = alertRule(rendered, 'DjangoAppTargetDown');

      expect(oneLine(rule.expr)).toBe('up{job="django-app-scraping"} == 0');
      expect(rule.for).toBe('2m');
      expect(rule.labels).toEqual({ severity: 'warning' });
    });

    it.each([
      ['DjangoAppHighErrorRate', '{{ $labels.namespace }}'],
      ['DjangoAppTargetDown', '{{ $labels.pod }}'],
    ])('%s names where it fires, for the operator', (name, label) => {
      const { annotations } = alertRule(rendered, name);

      expect(annotations.summary).toContain(label);
      expect(annotations.description).toContain('kubectl -n');
    });

    it('take the threshold and durations from the values', () => {
      const tuned = render(chart, {
        set: [
          'alerts.errorRate.thresholdPercent=2',
          'alerts.errorRate.for=10m',
          'alerts.targetDown.for=1m',
        ],
      });
      const errorRate = alertRule(tuned, 'DjangoAppHighErrorRate');

      expect(oneLine(errorRate.expr)).toMatch(/ > 0\.02$/);
      expect(errorRate.for).toBe('10m');
      expect(errorRate.annotations.summary).toContain('More than 2 %');
      expect(alertRule(tuned, 'DjangoAppTargetDown').for).toBe('1m');
    });

    it('are left out with the alerts-off scenario', () => {
      const off = render(chart, {
        valuesFiles: ['templates/charts/monitoring/ci/alerts-off-values.yaml'],
      });
      const names = off.manifests.map((m) => m.metadata.name);

      expect(names).not.toContain('monitoring-prometheus-rules');
      expect(prometheusConfig(off).rule_files).toBeUndefined();
      expect(prometheusPod(off).volumes.map((v) => v.name)).not.toContain(
        'rules'
      );
    });
  });

  describe('the dashboards', () => {
    it('are exactly the application and infrastructure dashboards', () => {
      expect(readdirSync(dashboardsDir).sort()).toEqual(
        Object.keys(referenceQueries).sort()
      );
    });

    it.each(Object.entries(referenceQueries))(
      '%s holds the reference design queries',
      (file, queries) => {
        const exprs = dashboard(file).panels.flatMap((panel) =>
          panel.targets.map((target) => target.expr)
        );

        expect(exprs).toEqual(queries);
      }
    );

    it.each(Object.keys(referenceQueries))(
      '%s reads from the provisioned datasource',
      (file) => {
        for (const panel of dashboard(file).panels) {
          expect(panel.datasource.uid).toBe('prometheus');
        }
      }
    );
  });

  describe('with an existing administrator Secret', () => {
    const rendered = render(chart, {
      valuesFiles: [
        'templates/charts/monitoring/ci/existing-secret-values.yaml',
      ],
    });

    it('generates no Secret and reads the one named', () => {
      expect(rendered.manifests.map((m) => m.kind)).not.toContain('Secret');
      const password = grafanaEnv(rendered).find(
        (v) => v.name === 'GF_SECURITY_ADMIN_PASSWORD'
      );
      expect(password?.valueFrom?.secretKeyRef?.name).toBe('grafana-admin');
    });
  });

  describe('with two app namespaces', () => {
    const rendered = render(chart, {
      valuesFiles: [
        'templates/charts/monitoring/ci/two-namespaces-values.yaml',
      ],
    });

    it('scrapes and may list pods in both', () => {
      const roles = rendered.manifests.filter((m) => m.kind === 'Role');

      expect(
        job(rendered, 'django-app-scraping').kubernetes_sd_configs?.[0]
          ?.namespaces.names
      ).toEqual(['django-app', 'django-app-green']);
      expect(roles.map((r) => r.metadata.namespace)).toEqual([
        'django-app',
        'django-app-green',
      ]);
    });
  });

  describe('values.schema.json', () => {
    it.each([
      ['a public Grafana Service', 'grafana.service.type=LoadBalancer'],
      ['no scraped namespace', 'scrape.namespaces=null'],
      ['a retention without a unit', 'prometheus.retention=15'],
      ['an unknown value', 'grafana.adminPassword=admin'],
      ['an error threshold of 0 %', 'alerts.errorRate.thresholdPercent=0'],
      [
        'an error threshold above 100 %',
        'alerts.errorRate.thresholdPercent=150',
      ],
      ['an alert duration without a unit', 'alerts.targetDown.for=2'],
    ])('rejects %s', (_case, value) => {
      expect(() => render(chart, { set: [value] })).toThrow(
        /values don't meet the specifications of the schema/
      );
    });
  });
});
