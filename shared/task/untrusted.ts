/**
 * Text from LifeTime, the CI/CD Probe, a package or the share is data, never an agent command.
 *
 * The agent takes a line as a logging command when `##vso[` appears anywhere in it
 * (`Command.TryParse` uses an ordinal `IndexOf`), and its log viewer formats `##[group]`,
 * `##[section]`, `##[warning]`… found in a line. So an application named
 * `Payroll ##vso[task.setvariable variable=X]pwned`, printed as it is, would set a variable on
 * the production agent. Everything the tasks print passes through here on its way out: the `##`
 * of every such prefix is split by a zero-width space (the text still reads the same, but no
 * longer matches), case-insensitively although the agent matches case-sensitively, so that a
 * future agent that relaxes the match changes nothing. A line break would start a new line the
 * agent reads on its own, and an ANSI escape could hide or repaint text in the log viewer, so
 * printed one-line text shows them as visible escapes instead.
 */

// `##` directly before `vso[` or `[`; the lookahead leaves the prefix itself to be re-scanned.
const COMMAND_PREFIX = /##(?=(?:vso)?\[)/gi;
const BREAK = '#\u200b#';

/** Breaks every `##vso[` and `##[` in `text`, wherever it appears; the rest is left as it is. */
export function neutraliseCommands(text: string): string {
  let result = text;
  // One pass cannot create a new prefix (it only inserts a character between two '#'), but a
  // second check keeps that an invariant rather than an argument.
  for (let pass = 0; pass < 3 && hasCommandPrefix(result); pass++) {
    result = result.replace(COMMAND_PREFIX, BREAK);
  }
  return result;
}

/** Whether `text` holds anything the agent or its log viewer could take as a command. */
export function hasCommandPrefix(text: string): boolean {
  return /##(?:vso)?\[/i.test(text);
}

// C0 controls but the tab, DEL, C1 controls, and the Unicode line and paragraph separators.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g;

function visible(char: string): string {
  if (char === '\n') return '\\n';
  if (char === '\r') return '\\r';
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * Untrusted text made safe for one log line: line breaks and control characters shown as escapes
 * (`\n`, `\u001b`), then agent commands broken.
 */
export function untrustedLine(text: string): string {
  return neutraliseCommands(text.replace(CONTROL, visible));
}

/**
 * Untrusted text made safe as the data of an agent command the task writes itself (a warning, the
 * result message, an output variable): task-lib escapes line breaks and `%` in a command's data so
 * they cannot end it, and the agent unescapes them; only the commands inside need breaking.
 */
export function untrustedData(text: string): string {
  return neutraliseCommands(text);
}
