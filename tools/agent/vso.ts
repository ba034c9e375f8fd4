/** One `##vso[area.event k=v;...]data` logging command, unescaped as the agent reads it. */
export interface VsoCommand {
  /** `area.event`, e.g. `task.setvariable`. */
  command: string;
  properties: Record<string, string>;
  data: string;
  /** The output line it came from, as printed. */
  line: string;
}

const PREFIX = '##vso[';
const ESCAPES: Record<string, string> = { '%AZP25': '%', '%25': '%', '%0D': '\r', '%0A': '\n', '%3B': ';', '%5D': ']' };

/** One pass, so an escaped `%` followed by `0A` never turns into a line break. */
export function unescapeVso(text: string): string {
  return text.replace(/%AZP25|%25|%0D|%0A|%3B|%5D/g, (m) => ESCAPES[m] ?? m);
}

/** Like the agent, finds the prefix anywhere in a line; a line without a closing `]` is no command. */
export function parseVsoLine(line: string): VsoCommand | undefined {
  const start = line.indexOf(PREFIX);
  if (start === -1) return undefined;
  const close = line.indexOf(']', start + PREFIX.length);
  if (close === -1) return undefined;
  const head = line.slice(start + PREFIX.length, close).trim();
  const space = head.indexOf(' ');
  const command = space === -1 ? head : head.slice(0, space);
  if (command === '') return undefined;
  const properties: Record<string, string> = {};
  if (space !== -1) {
    for (const pair of head.slice(space + 1).split(';')) {
      const trimmed = pair.trim();
      if (trimmed === '') continue;
      const eq = trimmed.indexOf('=');
      if (eq === -1) properties[trimmed] = '';
      else properties[trimmed.slice(0, eq)] = unescapeVso(trimmed.slice(eq + 1));
    }
  }
  return { command, properties, data: unescapeVso(line.slice(close + 1)), line };
}

export function parseVsoCommands(stdout: string): VsoCommand[] {
  return stdout
    .split(/\r?\n/)
    .map(parseVsoLine)
    .filter((c): c is VsoCommand => c !== undefined);
}
