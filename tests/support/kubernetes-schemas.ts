import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../local/emulator';

/**
 * The Kubernetes version whose schemas the rendered charts must meet: the
 * version of the kubectl haven deploys (README, "EKS and Helm"). The
 * pinned kubernetes-validate (requirements-dev.txt) bundles the schemas of
 * 1.35.0, so no newer or older stand-in is needed.
 */
export const kubernetesVersion = '1.35.0';

/** What the schema of its kind says of one object. */
export interface SchemaResult {
  kind: string;
  name: string;
  /** Empty when the object is valid. */
  errors: string[];
}

// Strict: a field the schema does not declare is an error, as the API
// server's strict field validation makes it.
const script = `
import json, sys
import kubernetes_validate

version = sys.argv[1]
results = []
for manifest in json.load(sys.stdin):
    errors = []
    try:
        kubernetes_validate.validate(manifest, version, strict=True)
    except kubernetes_validate.ValidationError as error:
        where = "/".join(str(part) for part in getattr(error, "absolute_path", []))
        errors.append(f"{where}: {error.message}")
    except Exception as error:  # no schema for the kind: that is an error too
        errors.append(" ".join([type(error).__name__, *str(error).splitlines()[:1]]))
    results.append({
        "kind": manifest.get("kind", ""),
        "name": manifest.get("metadata", {}).get("name", ""),
        "errors": errors,
    })
json.dump(results, sys.stdout)
`;

/**
 * Validates objects against the Kubernetes schemas bundled in
 * kubernetes-validate, offline, with the Python of .venv
 * (local/python-env.sh installs it). One result per object, in order.
 */
export function validateObjects(
  manifests: unknown[],
  version: string = kubernetesVersion
): SchemaResult[] {
  const python = join(repoRoot, '.venv', 'bin', 'python');
  const result = spawnSync(python, ['-c', script, version], {
    input: JSON.stringify(manifests),
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(
      `kubernetes-validate failed (run local/python-env.sh): ${result.stderr}`
    );
  }

  return JSON.parse(result.stdout) as SchemaResult[];
}
