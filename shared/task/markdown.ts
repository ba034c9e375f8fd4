import { neutraliseCommands } from './untrusted';

/**
 * Makes text safe for one markdown table cell: the pipe would split the cell, a line break would
 * end the row, a backtick could open a code span swallowing the rest, a backslash would eat the
 * next character (UNC paths), and angle brackets could be read as HTML. Agent commands in it are
 * broken too, so a cell copied into a log or a script stays data.
 */
export function markdownCell(text: string): string {
  return neutraliseCommands(text)
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/`/g, '\\`')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r\n|\r|\n/g, '<br>');
}

/** A GitHub-flavoured markdown table; short rows are padded, a row longer than the header is a bug. */
export function markdownTable(headers: string[], rows: string[][]): string {
  if (headers.length === 0) throw new Error('markdownTable needs at least one header');
  const line = (cells: string[]): string => `| ${cells.map(markdownCell).join(' | ')} |`;
  const body = rows.map((row, index) => {
    if (row.length > headers.length) {
      throw new Error(`markdownTable row ${index + 1} has ${row.length} cells for ${headers.length} headers`);
    }
    return line([...row, ...Array<string>(headers.length - row.length).fill('')]);
  });
  return [line(headers), `|${headers.map(() => ' --- |').join('')}`, ...body].join('\n') + '\n';
}
