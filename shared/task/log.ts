import { writeLine } from './output';

/** Folds the output of `fn` in the pipeline log; the fold is closed even when `fn` fails. */
export async function group<T>(title: string, fn: () => Promise<T>): Promise<T> {
  writeLine(`##[group]${oneLine(title)}`);
  try {
    return await fn();
  } finally {
    writeLine('##[endgroup]');
  }
}

/** A highlighted heading line in the pipeline log. */
export function section(title: string): void {
  writeLine(`##[section]${oneLine(title)}`);
}

// A title with a line break would end the formatting command early and print the rest raw.
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
