import { writeFormatting } from './output';

/** Folds the output of `fn` in the pipeline log; the fold is closed even when `fn` fails. */
export async function group<T>(title: string, fn: () => Promise<T>): Promise<T> {
  // The title is one line with its commands broken (writeFormatting), so it cannot end the fold early.
  writeFormatting('group', title);
  try {
    return await fn();
  } finally {
    writeFormatting('endgroup');
  }
}

/** A highlighted heading line in the pipeline log. */
export function section(title: string): void {
  writeFormatting('section', title);
}
