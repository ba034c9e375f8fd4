import * as tl from 'azure-pipelines-task-lib/task';

/**
 * Every secret value this process has registered, so that anything the task prints can be
 * scrubbed before it reaches stdout. The agent masks registered values too, but only after the
 * line has left the process; this is the defence in depth for a line printed before masking or
 * for a value the agent cannot mask (it masks line by line, never substrings of a secret).
 */
const registered = new Set<string>();
let scrubList: string[] = [];

const PEM_MARKER = /^-----(BEGIN|END) [A-Z0-9 ]+-----$/;

/** How the value may appear inside a `##vso[...]` command after task-lib's escaping. */
function printedForms(value: string): string[] {
  const forms = new Set<string>([value]);
  for (const percent of ['%AZP25', '%25']) {
    const data = value.replace(/%/g, percent).replace(/\r/g, '%0D').replace(/\n/g, '%0A');
    forms.add(data);
    forms.add(data.replace(/]/g, '%5D').replace(/;/g, '%3B'));
  }
  return [...forms];
}

function remember(value: string): void {
  if (value === '' || registered.has(value)) return;
  registered.add(value);
  // Longest first, so a secret that contains another one is replaced whole.
  scrubList = [...new Set([...registered].flatMap(printedForms))].sort((a, b) => b.length - a.length);
}

/**
 * Registers a secret with the agent (`task.setsecret`) and with the local scrubber. A multi-line
 * value (a PEM key) is registered line by line, as the agent masks line by line and task-lib
 * refuses multi-line secrets; the `-----BEGIN/END-----` markers are not secret and stay readable.
 */
export function registerSecret(value: string): void {
  const lines = value
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !PEM_MARKER.test(line));
  for (const line of lines) {
    if (!registered.has(line)) tl.setSecret(line);
    remember(line);
  }
  remember(value);
  remember(value.trim());
}

/** Replaces every registered secret value (also in task-lib's escaped forms) with `***`. */
export function scrubSecrets(text: string): string {
  let result = text;
  for (const secret of scrubList) {
    if (result.includes(secret)) result = result.split(secret).join('***');
  }
  return result;
}

/** Whether any secret is registered yet (lets hot paths skip scrubbing). */
export function hasRegisteredSecrets(): boolean {
  return registered.size > 0;
}
