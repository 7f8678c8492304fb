import type { WorkflowState } from '../functions/shared/workflow';
import type { PublishedEmail } from './mailbox';
import { type EventLog, terminal } from './workflow';

/**
 * What the local runs print: the states of a workflow as they are entered,
 * an environment's outputs and the emails its team would receive. Written
 * to the terminal itself, past the redirection of the handlers' logs.
 */

/** Prints one line to the terminal. */
export function say(line = '') {
  terminal.out(`${line}\n`);
}

/** Seconds since `started`, as the progress lines show them. */
export function secondsSince(started: number): string {
  return ((Date.now() - started) / 1000).toFixed(1);
}

/**
 * A listener for a workflow's events that prints each state entered (a
 * Choice is not a step anyone waits for), each retry and each failure,
 * stamped with the seconds since `started`.
 */
export function progressPrinter(started: number) {
  const stamp = () => `${secondsSince(started)}s`.padStart(7);

  return (event: EventLog) => {
    if (event.type === 'StateEntered' && event.state.type !== 'Choice') {
      say(`${stamp()}  ${event.state.name}`);
    }
    if (event.type === 'StateRetried') {
      say(`${stamp()}    retrying ${event.state.name}`);
    }
    if (event.type === 'StateFailed') {
      say(`${stamp()}    ${event.state.name} failed: ${event.Error}`);
    }
  };
}

/** Prints label and value pairs as an indented table. */
export function printRows(rows: [string, string | undefined][], width = 20) {
  for (const [label, value] of rows) {
    say(`  ${label.padEnd(width)}${value ?? ''}`);
  }
}

/** Prints what a provisioning's output says was built. */
export function printOutputs(state: WorkflowState) {
  const compute = state.compute?.outputs ?? {};
  const data = state.data?.outputs ?? {};
  printRows([
    ['App URL', compute.AppUrl],
    ['Database', `${data.DBEndpointAddress}:${data.DBEndpointPort}`],
    ['Endpoint parameter', data.DBEndpointParameterName],
    ['Media bucket', data.StaticBucketName],
    ['Auto Scaling group', compute.AutoScalingGroupName],
    ['Alarm topic', compute.AlarmTopicArn],
    ['Stacks', Object.values(state.stacks).join(', ')],
  ]);
}

/** Prints every email published to the environment's topic, in order. */
export function printEmails(emails: PublishedEmail[]) {
  for (const email of emails) {
    say(`\nEmail published to the environment's topic:`);
    say(`  Subject: ${email.subject}\n`);
    say(email.body.replace(/^/gm, '  '));
  }
  if (emails.length === 0) say('\nNo email was published.');
}
