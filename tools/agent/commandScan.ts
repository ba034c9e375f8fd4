/**
 * Finds agent commands a task run did not mean to write, the way the runner already scans every run
 * for secrets. The agent acts on `##vso[` anywhere in a line of stdout or stderr (an ordinal
 * `IndexOf`), and its log viewer formats `##[group]` and the like; the tasks write commands only
 * through task-lib and the log helpers, which always start the line with them. So any of these is
 * text from LifeTime, a package or the share that got through as a command:
 * - a `##vso[` or `##[` that does not start a stdout line, or a second one on a line;
 * - anything of the kind on stderr;
 * - a command kind the tasks never write (`task.prependpath`, `task.addattachment`, …);
 * - a `task.setvariable` for a variable the task does not declare in its task.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseVsoLine } from './vso';

/** Every `##vso[` kind task-lib writes for the calls the tasks make. */
const TASK_COMMANDS = new Set([
  'task.debug',
  'task.issue',
  'task.complete',
  'task.setprogress',
  'task.setvariable',
  'task.setsecret',
  'task.uploadsummary',
]);
/** The log viewer's formatting commands the tasks write (shared/task/log.ts), and task-lib's. */
const FORMATTING = new Set(['group', 'endgroup', 'section', 'warning', 'error', 'debug', 'command']);

const ANY_PREFIX = /##(?:vso)?\[/gi;

/**
 * The output variables a bundled task declares (task.json beside its entry); undefined when there
 * is no task.json (the test-only fixture task), and then any variable name passes.
 */
export function declaredOutputVariables(entry: string): Set<string> | undefined {
  const file = path.join(path.dirname(entry), 'task.json');
  if (!fs.existsSync(file)) return undefined;
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { outputVariables?: { name: string }[] };
  return new Set((parsed.outputVariables ?? []).map((v) => v.name));
}

function prefixesIn(line: string): number[] {
  return [...line.matchAll(ANY_PREFIX)].map((m) => m.index);
}

/** Descriptions of each stray command, by stream and line number (quoting the line, which holds no secret). */
export function findStrayCommands(stdout: string, stderr: string, variables: Set<string> | undefined): string[] {
  const found: string[] = [];
  stdout.split(/\r\n|\r|\n/).forEach((line, index) => {
    const where = `stdout line ${index + 1} ${JSON.stringify(line.slice(0, 200))}`;
    const at = prefixesIn(line);
    if (at.length === 0) return;
    if (at[0] !== 0 || at.length > 1) {
      found.push(`${where}: a command inside a line`);
      return;
    }
    if (line.startsWith('##[')) {
      const kind = /^##\[([a-z]+)\]/.exec(line)?.[1];
      if (kind === undefined || !FORMATTING.has(kind)) found.push(`${where}: formatting command the tasks never write`);
      return;
    }
    const command = parseVsoLine(line);
    if (command === undefined || !line.startsWith('##vso[')) {
      found.push(`${where}: not a well-formed command`);
      return;
    }
    if (!TASK_COMMANDS.has(command.command)) {
      found.push(`${where}: ##vso[${command.command}] is a command the tasks never write`);
    } else if (command.command === 'task.setvariable') {
      const name = command.properties['variable'] ?? '';
      if (variables !== undefined && !variables.has(name)) {
        found.push(`${where}: sets variable '${name}', which the task does not declare`);
      }
    }
  });
  stderr.split(/\r\n|\r|\n/).forEach((line, index) => {
    if (prefixesIn(line).length > 0) found.push(`stderr line ${index + 1} ${JSON.stringify(line.slice(0, 200))}`);
  });
  return found;
}
