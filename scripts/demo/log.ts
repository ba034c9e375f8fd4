/**
 * A task's stdout as a person reads it in the pipeline's log view: `##[group]` as headings,
 * `##vso[...]` logging commands as short notes (or dropped when they are only plumbing).
 */
import { parseVsoLine } from '../../tools/agent/vso';

/** `groupEnd` marks where a group closes (no text); a terminal shows nothing for it. */
export type LogLineKind = 'heading' | 'groupEnd' | 'text' | 'note' | 'warning' | 'error' | 'section';

export interface LogLine {
  kind: LogLineKind;
  text: string;
}

const FORMATTING: Record<string, LogLineKind> = {
  group: 'heading',
  section: 'section',
  warning: 'warning',
  error: 'error',
  command: 'note',
};

/** One `##vso[...]` command as a readable note, or undefined when a reader would not miss it. */
function commandNote(line: string): LogLine | undefined {
  const command = parseVsoLine(line);
  if (!command) return { kind: 'text', text: line };
  const props = command.properties;
  switch (command.command) {
    case 'task.setvariable': {
      const value = props['issecret'] === 'true' ? '***' : command.data;
      const scope = props['isOutput'] === 'true' || props['isoutput'] === 'true' ? 'output variable' : 'variable';
      return { kind: 'note', text: `${scope} ${props['variable'] ?? '?'} = ${value}` };
    }
    case 'task.issue':
    case 'task.logissue': {
      const kind = props['type'] === 'error' ? 'error' : 'warning';
      return { kind, text: command.data };
    }
    case 'task.uploadsummary':
      return { kind: 'note', text: `summary attached to the run: ${baseName(command.data)}` };
    case 'task.complete':
      return {
        kind: props['result'] === 'Failed' ? 'error' : 'note',
        text: `result: ${props['result'] ?? '?'}${command.data === '' ? '' : ` (${command.data})`}`,
      };
    default:
      // task.setsecret, task.setprogress, task.debug and the like are plumbing.
      return undefined;
  }
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

/** The readable lines of a task's stdout; debug output and empty trailing lines are dropped. */
export function readableLog(stdout: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const raw of stdout.replace(/\r\n/g, '\n').split('\n')) {
    if (raw.includes('##vso[')) {
      const note = commandNote(raw);
      if (note) lines.push(note);
      continue;
    }
    const formatting = /^##\[(\w+)\](.*)$/.exec(raw);
    if (formatting) {
      const [, name = '', text = ''] = formatting;
      if (name === 'debug') continue;
      if (name === 'endgroup') {
        lines.push({ kind: 'groupEnd', text: '' });
        continue;
      }
      lines.push({ kind: FORMATTING[name] ?? 'text', text });
      continue;
    }
    lines.push({ kind: 'text', text: raw });
  }
  while (lines.length > 0 && lines[lines.length - 1]?.kind === 'text' && lines[lines.length - 1]?.text.trim() === '') {
    lines.pop();
  }
  return lines;
}

/** Plain text for a terminal: headings underlined-ish, notes and issues marked. */
export function formatForTerminal(lines: readonly LogLine[], indent = '  '): string {
  return lines
    .filter((line) => line.kind !== 'groupEnd')
    .map((line) => {
      switch (line.kind) {
        case 'heading':
          return `${indent}▸ ${line.text}`;
        case 'section':
          return `${indent}── ${line.text}`;
        case 'note':
          return `${indent}  · ${line.text}`;
        case 'warning':
          return `${indent}  ! warning: ${line.text}`;
        case 'error':
          return `${indent}  ✗ ${line.text}`;
        default:
          return `${indent}  ${line.text}`;
      }
    })
    .join('\n');
}
