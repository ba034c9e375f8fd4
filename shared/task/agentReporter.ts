/** The Reporter operations use, printing to the pipeline log through the task glue. */
import * as tl from 'azure-pipelines-task-lib/task';
import type { Reporter } from '../util/reporter';
import { group } from './log';
import { writeLine } from './output';
import type { TaskContext } from './run';
import { untrustedData } from './untrusted';

export function agentReporter(context: TaskContext): Reporter {
  return {
    info: (message) => writeLine(message),
    warn: (message) => context.warn(message),
    group,
    progress: (percent, operation) => tl.setProgress(Math.max(0, Math.min(100, percent)), untrustedData(operation)),
  };
}
