/**
 * What an operation tells the person watching the pipeline. Operations depend on this rather than
 * on task-lib, so the same code runs in the bundled task and in direct tests.
 */
export interface Reporter {
  info(message: string): void;
  /** A warning the user must read: the task ends SucceededWithIssues. */
  warn(message: string): void;
  /** Folds a section of the log (`##[group]`) even when `body` fails. */
  group<T>(title: string, body: () => Promise<T>): Promise<T>;
  progress(percent: number, operation: string): void;
}

/** A reporter that prints plainly, for scripts and direct tests. */
export function consoleReporter(write: (line: string) => void = (l) => process.stdout.write(l + '\n')): Reporter {
  return {
    info: (m) => write(m),
    warn: (m) => write(`WARNING: ${m}`),
    group: async (title, body) => {
      write(`== ${title}`);
      return body();
    },
    progress: () => undefined,
  };
}
