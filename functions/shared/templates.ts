import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Tier } from './tiers';

/**
 * Where the tier templates are: the templates layer's folder in Lambda
 * (set by template.yaml), the repository's templates/ folder elsewhere.
 */
function templatesDir(): string {
  return process.env.TEMPLATES_DIR ?? join(__dirname, '..', '..', 'templates');
}

/** The body of a tier's template, passed inline to CreateStack. */
export async function templateBodyOf(tier: Tier): Promise<string> {
  return readFile(join(templatesDir(), `${tier}.yaml`), 'utf8');
}
