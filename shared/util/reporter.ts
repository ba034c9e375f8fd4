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
