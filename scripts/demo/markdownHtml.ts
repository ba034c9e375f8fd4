/**
 * The little markdown the tasks' summaries use (headings, GitHub tables, lists, paragraphs, inline
 * code, bold, backslash escapes, `<br>` and entities), as HTML, to show a summary as the run page's
 * Extensions tab does. Anything else is shown as text, never as HTML.
 */

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/;

/** One line of inline markdown as HTML. */
export function inlineHtml(text: string): string {
  let html = '';
  let strong = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    const next = text.charAt(i + 1);
    if (c === '\\' && PUNCTUATION.test(next)) {
      html += escapeHtml(next);
      i++;
    } else if (c === '`') {
      const run = /^`+/.exec(text.slice(i))?.[0] ?? '`';
      const close = text.indexOf(run, i + run.length);
      if (close === -1) {
        html += escapeHtml(run);
      } else {
        html += `<code>${escapeHtml(text.slice(i + run.length, close).trim())}</code>`;
        i = close;
      }
      i += run.length - 1;
    } else if (c === '*' && next === '*') {
      html += strong ? '</strong>' : '<strong>';
      strong = !strong;
      i++;
    } else if (c === '<' && /^<br\s*\/?>/i.test(text.slice(i))) {
      html += '<br>';
      i += (/^<br\s*\/?>/i.exec(text.slice(i))?.[0].length ?? 1) - 1;
    } else if (c === '&' && /^&(#\d+|#x[0-9a-f]+|[a-z]+);/i.test(text.slice(i))) {
      html += '&';
    } else {
      html += escapeHtml(c);
    }
  }
  return strong ? html + '</strong>' : html;
}

/** The cells of a table row, split on pipes that are not escaped. */
export function tableCells(line: string): string[] {
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  const cells: string[] = [];
  let cell = '';
  for (let i = 0; i < body.length; i++) {
    const c = body.charAt(i);
    if (c === '\\' && i + 1 < body.length) {
      cell += c + body.charAt(i + 1);
      i++;
    } else if (c === '|') {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += c;
    }
  }
  cells.push(cell.trim());
  return cells;
}

const isTableRow = (line: string): boolean => line.trim().startsWith('|');
const isDelimiterRow = (line: string): boolean => /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(line);
const LIST_ITEM = /^\s*(?:[-*+]|(\d+)[.)])\s+(.*)$/;

export function markdownToHtml(markdown: string): string {
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (line.trim() === '') {
      i++;
    } else if (heading) {
      const level = String(heading[1]?.length ?? 1);
      out.push(`<h${level}>${inlineHtml(heading[2] ?? '')}</h${level}>`);
      i++;
    } else if (isTableRow(line) && isDelimiterRow(lines[i + 1] ?? '')) {
      const headers = tableCells(line);
      const rows: string[][] = [];
      i += 2;
      while (i < lines.length && isTableRow(lines[i] ?? '')) rows.push(tableCells(lines[i++] ?? ''));
      const cells = (row: string[], tag: string): string =>
        headers.map((_, c) => `<${tag}>${inlineHtml(row[c] ?? '')}</${tag}>`).join('');
      out.push(
        `<table><thead><tr>${cells(headers, 'th')}</tr></thead><tbody>` +
          rows.map((row) => `<tr>${cells(row, 'td')}</tr>`).join('') +
          '</tbody></table>',
      );
    } else if (LIST_ITEM.test(line)) {
      const ordered = LIST_ITEM.exec(line)?.[1] !== undefined;
      const items: string[] = [];
      while (i < lines.length && LIST_ITEM.test(lines[i] ?? '')) {
        items.push(`<li>${inlineHtml(LIST_ITEM.exec(lines[i] ?? '')?.[2] ?? '')}</li>`);
        i++;
      }
      const tag = ordered ? 'ol' : 'ul';
      out.push(`<${tag}>${items.join('')}</${tag}>`);
    } else {
      const paragraph: string[] = [];
      while (i < lines.length && (lines[i] ?? '').trim() !== '' && !isTableRow(lines[i] ?? '')) {
        paragraph.push(inlineHtml((lines[i] ?? '').trim()));
        i++;
        if (/^#{1,6}\s/.test(lines[i] ?? '') || LIST_ITEM.test(lines[i] ?? '')) break;
      }
      if (paragraph.length === 0) {
        out.push(`<p>${inlineHtml(line)}</p>`);
        i++;
      } else {
        out.push(`<p>${paragraph.join('\n')}</p>`);
      }
    }
  }
  return out.join('\n');
}
