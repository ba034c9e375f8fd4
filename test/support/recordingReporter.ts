/** A Reporter that keeps what an operation said, for tests that call the operations in process. */
import type { Reporter } from '../../shared/util/reporter';

export interface RecordingReporter extends Reporter {
  /** Every info line, in order. */
  readonly lines: string[];
  readonly warnings: string[];
  /** Titles of the folded sections, in the order they opened. */
  readonly groups: string[];
  readonly progressReports: { percent: number; operation: string }[];
}

export function recordingReporter(): RecordingReporter {
  const lines: string[] = [];
  const warnings: string[] = [];
  const groups: string[] = [];
  const progressReports: { percent: number; operation: string }[] = [];
  return {
    lines,
    warnings,
    groups,
    progressReports,
    info: (message) => lines.push(message),
    warn: (message) => warnings.push(message),
    group: (title, body) => {
      groups.push(title);
      return body();
    },
    progress: (percent, operation) => progressReports.push({ percent, operation }),
  };
}
