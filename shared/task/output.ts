import * as os from 'node:os';
import { hasRegisteredSecrets, scrubSecrets } from './secretRegistry';
import { neutraliseCommands, untrustedLine } from './untrusted';

const SET_SECRET = '##vso[task.setsecret]';

/**
 * Scrubs registered secrets from text on its way out, line by line, except the `task.setsecret`
 * commands themselves: those must reach the agent intact or it could not mask the value.
 */
export function scrubOutput(text: string): string {
  if (!hasRegisteredSecrets()) return text;
  return text
    .split('\n')
    .map((line) => (line.includes(SET_SECRET) ? line : scrubSecrets(line)))
    .join('\n');
}

// What task-lib and the log helpers start a line with; anything after it on the line is data.
const LINE_COMMAND = /^(?:##vso\[|##\[)/;

/**
 * The last line behind printing untrusted text through writeLine and untrustedData: on stdout a
 * command may only start a line (task-lib writes them so, and the agent takes the first one it
 * finds), so any `##vso[` or `##[` later in a line, e.g. in task-lib's own debug line quoting a
 * path, is broken. Nothing the tasks mean for the agent goes to stderr, which the agent reads too.
 */
export function guardCommands(text: string, stream: 'stdout' | 'stderr'): string {
  if (!/##(?:vso)?\[/i.test(text)) return text;
  return text
    .split('\n')
    .map((line) => {
      const prefix = stream === 'stdout' ? (LINE_COMMAND.exec(line)?.[0] ?? '') : '';
      if (stream === 'stdout' && line.startsWith('##vso[task.setsecret]')) return line;
      return prefix + neutraliseCommands(line.slice(prefix.length));
    })
    .join('\n');
}

type Write = (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;

function guardWrites(stream: NodeJS.WriteStream, name: 'stdout' | 'stderr'): void {
  const write = stream.write.bind(stream) as Write;
  stream.write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return write(guardCommands(scrubOutput(text), name), ...rest);
  };
}

let installed = false;

/**
 * Makes every write to stdout and stderr pass the scrubber and the command guard: task-lib's
 * commands, console.log, a library's stray print. It is the last line behind reading secrets
 * without echo and printing untrusted text through this module.
 */
export function installOutputScrubber(): void {
  if (installed) return;
  installed = true;
  guardWrites(process.stdout, 'stdout');
  guardWrites(process.stderr, 'stderr');
}

/**
 * Prints one log line to stdout with registered secrets scrubbed (even before the scrubber is
 * installed) and any text in it treated as untrusted: it stays one line and commands in it are
 * broken (untrusted.ts). Every line the tasks print goes through here.
 */
export function writeLine(text: string): void {
  process.stdout.write(untrustedLine(scrubOutput(text)) + os.EOL);
}

/** The log viewer's formatting commands the tasks write, each with a title that is data. */
export type FormattingCommand = 'group' | 'endgroup' | 'section';

/** Prints `##[group]title` and the like, the title made one safe line like any other text. */
export function writeFormatting(command: FormattingCommand, title = ''): void {
  process.stdout.write(`##[${command}]${untrustedLine(scrubOutput(title))}${os.EOL}`);
}
