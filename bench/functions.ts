import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { readTemplate } from '../local/cfn-yaml';
import { localAwsSettings, repoRoot } from '../local/emulator';

/**
 * Each function as `sam build` bundles it: esbuild with the function's own
 * BuildProperties from template.yaml, then its size, the SDK clients in
 * it, and how long Node takes to load it cold.
 */

/** One function's bundle and its cold start, as measured. */
export interface FunctionFigures {
  logicalId: string;
  memoryMb: number;
  architecture: string;
  bundleBytes: number;
  /** Median of the runs, milliseconds to require the bundle. */
  initMs: number;
  initRuns: number[];
  /** The AWS SDK clients bundled. */
  clients: string[];
  /** Clients in the bundle that none of the function's own files import. */
  unexpectedClients: string[];
}

interface SamFunction {
  Type?: string;
  Metadata?: {
    BuildMethod?: string;
    BuildProperties?: {
      EntryPoints?: string[];
      Target?: string;
      Minify?: boolean;
      Sourcemap?: boolean;
      Format?: 'cjs' | 'esm';
      External?: string[];
    };
  };
  Properties?: {
    CodeUri?: string;
    MemorySize?: number;
    Architectures?: string[];
  };
}

/** Memory and architecture of every function of template.yaml. */
export function functionSettings(): Map<
  string,
  { memoryMb: number; architecture: string; fn: SamFunction }
> {
  const template = readTemplate(join(repoRoot, 'template.yaml'));
  const globals = (
    template.Globals as { Function?: SamFunction['Properties'] } | undefined
  )?.Function;
  const resources = template.Resources as Record<string, SamFunction>;
  const settings = new Map<
    string,
    { memoryMb: number; architecture: string; fn: SamFunction }
  >();
  for (const [id, fn] of Object.entries(resources)) {
    if (fn.Type !== 'AWS::Serverless::Function') continue;
    settings.set(id, {
      fn,
      memoryMb: fn.Properties?.MemorySize ?? globals?.MemorySize ?? 128,
      architecture:
        fn.Properties?.Architectures?.[0] ??
        globals?.Architectures?.[0] ??
        'x86_64',
    });
  }

  return settings;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);

  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Milliseconds a fresh Node process takes to require the bundle. */
function initTime(bundle: string): number {
  const script =
    'const t = process.hrtime.bigint();' +
    `require(${JSON.stringify(bundle)});` +
    'process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));';
  const run = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      ...localAwsSettings,
      POWERTOOLS_SERVICE_NAME: 'haven',
      POWERTOOLS_DEV: 'false',
    },
  });
  if (run.status !== 0) {
    throw new Error(`loading ${bundle} failed: ${run.stderr}`);
  }

  return Number(run.stdout);
}

const clientPattern = /node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\//;

function ownImports(inputs: string[]): Set<string> {
  const imported = new Set<string>();
  for (const input of inputs.filter((i) => i.startsWith('functions/'))) {
    const text = readFileSync(join(repoRoot, input), 'utf8');
    for (const m of text.matchAll(/from '@aws-sdk\/([a-z0-9-]+)'/g)) {
      const name = m[1] as string;
      // The document client wraps the DynamoDB client.
      imported.add(name === 'lib-dynamodb' ? 'client-dynamodb' : name);
    }
  }

  return imported;
}

/** Bundles every function as sam build does, and times its cold load. */
export async function measureFunctions(runs = 5): Promise<FunctionFigures[]> {
  const out = mkdtempSync(join(tmpdir(), 'haven-bench-'));
  const figures: FunctionFigures[] = [];
  try {
    for (const [id, setting] of functionSettings()) {
      const meta = setting.fn.Metadata;
      const props = meta?.BuildProperties;
      const entry = props?.EntryPoints?.[0];
      if (meta?.BuildMethod !== 'esbuild' || !entry) continue;
      const codeUri = setting.fn.Properties?.CodeUri ?? '.';
      const outfile = join(out, id, 'handler.js');
      const result = await build({
        absWorkingDir: repoRoot,
        entryPoints: [join(codeUri, entry)],
        outfile,
        bundle: true,
        platform: 'node',
        target: props?.Target ?? 'node22',
        minify: props?.Minify ?? false,
        sourcemap: props?.Sourcemap ?? false,
        format: props?.Format ?? 'cjs',
        external: props?.External ?? [],
        metafile: true,
        logLevel: 'silent',
      });
      const inputs = Object.keys(result.metafile.inputs);
      const clients = [
        ...new Set(
          inputs.flatMap((i) => {
            const m = i.match(clientPattern);
            return m ? [m[1] as string] : [];
          })
        ),
      ].sort();
      const own = ownImports(inputs);
      const initRuns = Array.from({ length: runs }, () => initTime(outfile));
      figures.push({
        logicalId: id,
        memoryMb: setting.memoryMb,
        architecture: setting.architecture,
        bundleBytes: statSync(outfile).size,
        initMs: median(initRuns),
        initRuns,
        clients,
        unexpectedClients: clients.filter((c) => !own.has(c)),
      });
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }

  return figures;
}
