import {
  CreateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  type LocalProvisioning,
  provisionLocally,
} from '../../local/provision';
import { useFaultyAws } from '../support/fault-proxy';
import { requestFor } from '../support/leftovers';

/**
 * Secrets hygiene of a whole provisioning: no secret reaches the
 * execution's inputs and outputs (which the console shows to anyone who
 * may read executions), the functions' logs, or the emails. The database
 * secret is planted in the emulator's Secrets Manager under the name RDS
 * gives its managed secrets, and the run signs with recognisable
 * credentials, so a leak of either is found by value.
 */

useFaultyAws();

const planted = {
  password: 'Planted-Db-Password-7f3a9c0e',
  accessKeyId: 'AKIAHAVENLEAKCHECK01',
  secretAccessKey: 'HavenLeakCheck/SecretAccessKey+0123456789',
};

const patterns: [string, RegExp][] = [
  ['an access key id', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['a secret access key', /(?<![\w/+=])[A-Za-z0-9/+=]{40}(?![\w/+=])/],
  ['a password value', /"?password"?\s*[:=]\s*"?[^\s",}]{4,}/i],
  ['the test credentials', /\btesting\b(?=[^\n]*(secret|key))/i],
];

/** Every text a run shows anyone: events, log lines, emails. */
function exposedTexts(run: LocalProvisioning, logs: string[]) {
  return [
    ...run.execution.events.map((e) => ['event', JSON.stringify(e)]),
    ...logs.map((line) => ['log line', line]),
    ...run.emails.map((e) => ['email', `${e.subject}\n${e.body}`]),
  ] as [string, string][];
}

/** Where a secret shows, as "<kind>: <what was found>". */
function leaks(run: LocalProvisioning, logs: string[]): string[] {
  const found: string[] = [];
  for (const [kind, text] of exposedTexts(run, logs)) {
    for (const value of Object.values(planted)) {
      if (text.includes(value)) found.push(`${kind}: ${value}`);
    }
    for (const [what, pattern] of patterns) {
      const match = text.match(pattern);
      if (match) found.push(`${kind}: ${what} (${match[0]})`);
    }
  }

  return found;
}

async function provision(name: string, extra: Record<string, unknown> = {}) {
  const logs: string[] = [];
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: planted.accessKeyId,
    AWS_SECRET_ACCESS_KEY: planted.secretAccessKey,
  });
  try {
    await new SecretsManagerClient({}).send(
      new CreateSecretCommand({
        Name: `rds!db-${name}-postgres`,
        SecretString: JSON.stringify({
          username: 'postgres',
          password: planted.password,
        }),
      })
    );
    const run = await provisionLocally({
      request: requestFor(name, extra),
      logSink: (text) => logs.push(text),
    });

    return { run, logs };
  } finally {
    process.env = saved;
  }
}

describe('secrets hygiene', () => {
  it('shows no secret or credential in events, logs or emails', async () => {
    const { run, logs } = await provision('hygiene');

    expect(run.execution.status).toBe('SUCCEEDED');
    expect(logs.length).toBeGreaterThan(10);
    expect(leaks(run, logs)).toEqual([]);
  });

  it('finds a secret that does leak (control)', async () => {
    // A team that pastes the password into a tag leaks it: the request is
    // the execution's input, and the tags are echoed in every stack's.
    const { run, logs } = await provision('control', {
      tags: { note: `password=${planted.password}` },
    });

    expect(leaks(run, logs)).toEqual(
      expect.arrayContaining([
        `event: ${planted.password}`,
        expect.stringMatching(/^event: a password value/),
      ])
    );
  });
});
