import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../../local/emulator';
import { helm } from '../support/helm';

/** A Kubernetes object as rendered; tests narrow the parts they read. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // Specs differ by kind; each test reads the fields it checks.
  [key: string]: unknown;
}

/** The folder of one of haven's charts. */
export function chartDir(chart: string): string {
  return join(repoRoot, 'templates', 'charts', chart);
}

/** The install scenarios of a chart, as paths relative to the repository. */
export function scenarios(chart: string): string[] {
  return readdirSync(join(chartDir(chart), 'ci'))
    .filter((file) => file.endsWith('-values.yaml'))
    .sort()
    .map((file) => join('templates', 'charts', chart, 'ci', file));
}

/** What `helm template` printed, as text and as parsed objects. */
export interface Rendered {
  text: string;
  manifests: Manifest[];
}

/**
 * Renders a chart offline with `helm template`, the release named like the
 * chart and installed in the namespace of that name, as haven installs it.
 * Throws with helm's message when rendering fails.
 */
export function render(
  chart: string,
  options: { valuesFiles?: string[]; set?: string[]; namespace?: string } = {}
): Rendered {
  const args = [
    'template',
    chart,
    chartDir(chart),
    '--namespace',
    options.namespace ?? chart,
    ...(options.valuesFiles ?? []).flatMap((file) => ['--values', file]),
    ...(options.set ?? []).flatMap((value) => ['--set', value]),
  ];
  const result = helm(args);
  if (result.status !== 0) {
    throw new Error(`helm template ${chart} failed: ${result.stderr}`);
  }
  const manifests = parseAllDocuments(result.stdout)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);

  return { text: result.stdout, manifests };
}

/** The one object of a kind (and name, when given); fails when absent. */
export function find(
  rendered: Rendered,
  kind: string,
  name?: string
): Manifest {
  const found = rendered.manifests.filter(
    (m) => m.kind === kind && (name === undefined || m.metadata.name === name)
  );
  if (found.length !== 1) {
    throw new Error(`expected one ${kind} ${name ?? ''}, got ${found.length}`);
  }

  return found[0] as Manifest;
}

/** The kinds of the rendered objects, sorted. */
export function kinds(rendered: Rendered): string[] {
  return rendered.manifests.map((m) => m.kind).sort();
}
