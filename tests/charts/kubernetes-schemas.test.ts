import {
  kubernetesVersion,
  validateObjects,
} from '../support/kubernetes-schemas';
import { render, scenarios } from './render';

const charts = ['django-app', 'monitoring'] as const;

/** Every chart with its defaults and each of its install scenarios. */
const cases: [string, string, string[]][] = charts.flatMap((chart) => [
  [chart, 'the default values', []],
  ...scenarios(chart).map((file): [string, string, string[]] => [
    chart,
    file,
    [file],
  ]),
]);

describe(`the charts against the Kubernetes ${kubernetesVersion} schemas`, () => {
  it.each(cases)(
    '%s with %s renders only valid objects',
    (chart, _values, valuesFiles) => {
      const { manifests } = render(chart, { valuesFiles });

      const results = validateObjects(manifests);

      expect(results).toHaveLength(manifests.length);
      expect(results.filter((r) => r.errors.length > 0)).toEqual([]);
    }
  );

  it('checks strictly: an unknown field fails its object', () => {
    const { manifests } = render('django-app');
    const service = manifests.find((m) => m.kind === 'Service');
    const broken = {
      ...service,
      spec: { ...(service?.spec as object), publicPorts: [9100] },
    };

    const [result] = validateObjects([broken]);

    expect(result?.errors).toEqual([
      expect.stringContaining("'publicPorts' was unexpected"),
    ]);
  });

  it('fails an object whose field has the wrong type', () => {
    const [result] = validateObjects([
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'django-app' },
        spec: { ports: [{ port: 'http' }] },
      },
    ]);

    expect(result?.errors).toEqual([
      "spec/ports/0/port: 'http' is not of type 'integer'",
    ]);
  });

  it('fails a kind the schemas do not know', () => {
    const [result] = validateObjects([
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name: 'django-app' },
      },
    ]);

    expect(result?.errors).toEqual(['SchemaNotFoundError']);
  });
});
