import * as os from 'node:os';
import { hasRegisteredSecrets, scrubSecrets } from './secretRegistry';

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

type Write = (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;

function scrubWrites(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as Write;
  stream.write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    if (!hasRegisteredSecrets()) return write(chunk, ...rest);
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return write(scrubOutput(text), ...rest);
  };
}

let installed = false;

/**
 * Makes every write to stdout and stderr pass the scrubber: task-lib's commands, console.log,
 * a library's stray print. It is the last line behind reading secrets without echo.
 */
export function installOutputScrubber(): void {
  if (installed) return;
  installed = true;
  scrubWrites(process.stdout);
  scrubWrites(process.stderr);
}

/** Prints one line to stdout with registered secrets scrubbed (even before the scrubber is installed). */
export function writeLine(text: string): void {
  process.stdout.write(scrubOutput(text) + os.EOL);
}
