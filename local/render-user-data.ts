/**
 * Renders the application instances' bootstrap (app/deploy/bootstrap.sh)
 * into the launch template of templates/compute.yaml, between two marker
 * comments. The files the bootstrap installs (the Gunicorn unit, the Nginx
 * site, the migration runner) are embedded at their `#haven:embed` lines,
 * so app/deploy stays their one source. Run with `npm run render`; a test
 * fails when the template holds anything else.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './emulator';

/** Paths relative to the repository root. */
export const USER_DATA = {
  source: 'app/deploy/bootstrap.sh',
  template: 'templates/compute.yaml',
  begin:
    '# BEGIN user data: `npm run render` copies app/deploy/bootstrap.sh here, edit that',
  end: '# END user data',
} as const;

// The list item of Fn::Sub sits at 12 spaces, its text at 14.
const itemIndent = ' '.repeat(12);
const textIndent = ' '.repeat(14);
const embedLine = /^#haven:embed (\S+)$/;

/** Raised when the bootstrap or the template cannot be rendered as is. */
export class RenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderError';
  }
}

function read(path: string): string {
  return readFileSync(join(repoRoot, path), 'utf8');
}

/**
 * Fn::Sub would read `${...}` in an embedded file as a placeholder; `${!`
 * is its escape for a literal `${`.
 */
function escapeForSub(text: string): string {
  return text.replaceAll('${', '${!');
}

/**
 * The bootstrap with every embed line replaced by the file it names. The
 * line after an embed line ends the here-document, and the file must not
 * hold that line itself, or the shell would end the document early.
 */
export function renderBootstrap(): string {
  const lines = read(USER_DATA.source).split('\n');
  const out: string[] = [];
  lines.forEach((line, index) => {
    const embed = embedLine.exec(line);
    if (!embed) {
      out.push(line);

      return;
    }
    const delimiter = lines[index + 1] ?? '';
    const content = read(embed[1] as string).replace(/\n$/, '');
    if (content.split('\n').includes(delimiter)) {
      throw new RenderError(
        `${embed[1]} holds the line ${delimiter}, which ends its here-document`
      );
    }
    out.push(escapeForSub(content));
  });

  return out.join('\n');
}

/** The YAML lines of the block between the markers, markers included. */
export function renderUserDataBlock(): string {
  const script = renderBootstrap().replace(/\n$/, '');
  const body = script
    .split('\n')
    .map((line) => (line === '' ? '' : `${textIndent}${line}`));

  return [
    `${itemIndent}${USER_DATA.begin}`,
    `${itemIndent}- |`,
    ...body,
    `${itemIndent}${USER_DATA.end}`,
  ].join('\n');
}

/** Where the block starts and ends in the template's text. */
function blockBounds(template: string): { start: number; end: number } {
  const start = template.indexOf(`${itemIndent}${USER_DATA.begin}\n`);
  const endMarker = `${itemIndent}${USER_DATA.end}`;
  const end = template.indexOf(endMarker, start);
  if (start < 0 || end < 0) {
    throw new RenderError(
      `${USER_DATA.template} has no user data markers at 12 spaces`
    );
  }

  return { start, end: end + endMarker.length };
}

/** The block as the template holds it now. */
export function userDataBlockInTemplate(template: string): string {
  const { start, end } = blockBounds(template);

  return template.slice(start, end);
}

/** The template's text with the block rendered afresh. */
export function renderTemplate(template: string): string {
  const { start, end } = blockBounds(template);

  return template.slice(0, start) + renderUserDataBlock() + template.slice(end);
}

/** Rewrites the template when its block differs; true when it changed. */
export function writeUserData(): boolean {
  const path = join(repoRoot, USER_DATA.template);
  const current = readFileSync(path, 'utf8');
  const rendered = renderTemplate(current);
  if (rendered === current) return false;
  writeFileSync(path, rendered);

  return true;
}

if (require.main === module) {
  const changed = writeUserData();
  console.log(
    changed
      ? `haven: rendered ${USER_DATA.source} into ${USER_DATA.template}`
      : `haven: ${USER_DATA.template} already holds ${USER_DATA.source}`
  );
}
