import * as tl from 'azure-pipelines-task-lib/task';
import { installOutputScrubber } from './output';
import { scrubSecrets } from './secretRegistry';

export interface TaskContext {
  /** Aborted on SIGINT/SIGTERM (the agent cancelling the job): stop, clean up, then return or throw. */
  signal: AbortSignal;
  /** Records a warning the user must read; the task then ends SucceededWithIssues. */
  warn(message: string): void;
}

/**
 * How an operation ended, as the task reports it. An operation that fails after it has something to
 * show (a deploy that stopped at a package, tags that could not all be created) returns its result
 * so the shell can publish the summary and outputs first, then ends the task with `failed`.
 */
export interface TaskOutcome {
  message: string;
  failed?: boolean;
}

const CANCEL_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
// After cancellation the task gets this long to finish cleaning up before it is ended anyway.
const CANCEL_GRACE_MS = 30_000;

/**
 * Runs a task's operation and turns its end into exactly one `task.complete`: Succeeded,
 * SucceededWithIssues (when it warned), Failed with the outcome's or the error's message (the stack
 * only in a debug line), or Cancelled with a non-zero exit code after SIGINT/SIGTERM.
 */
export async function runTask(taskName: string, main: (context: TaskContext) => Promise<TaskOutcome>): Promise<void> {
  installOutputScrubber();
  const controller = new AbortController();
  let cancelledBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (cancelledBy !== undefined) {
      // A second signal: the user or the agent will not wait for the cleanup.
      process.exit(1);
    }
    cancelledBy = signal;
    tl.warning(`${taskName} was asked to stop (${signal}); cleaning up.`);
    controller.abort(new Error(`${taskName} was cancelled (${signal}).`));
    setTimeout(() => process.exit(1), CANCEL_GRACE_MS).unref();
  };
  for (const signal of CANCEL_SIGNALS) process.on(signal, onSignal);

  let warnings = 0;
  const context: TaskContext = {
    signal: controller.signal,
    warn(message: string): void {
      warnings++;
      tl.warning(scrubSecrets(message));
    },
  };

  try {
    const outcome = await main(context);
    if (cancelledBy !== undefined) {
      finishCancelled(taskName, cancelledBy, outcome.failed === true ? outcome.message : undefined);
    } else if (outcome.failed === true) {
      tl.setResult(tl.TaskResult.Failed, scrubSecrets(outcome.message));
    } else if (warnings > 0) {
      const plural = warnings === 1 ? 'warning' : 'warnings';
      tl.setResult(tl.TaskResult.SucceededWithIssues, scrubSecrets(`${outcome.message} (${warnings} ${plural})`));
    } else {
      tl.setResult(tl.TaskResult.Succeeded, scrubSecrets(outcome.message));
    }
  } catch (error: unknown) {
    if (error instanceof Error && error.stack !== undefined) tl.debug(scrubSecrets(error.stack));
    if (cancelledBy !== undefined) {
      finishCancelled(taskName, cancelledBy, messageOf(error));
    } else {
      tl.setResult(tl.TaskResult.Failed, scrubSecrets(messageOf(error)));
    }
  } finally {
    for (const signal of CANCEL_SIGNALS) process.off(signal, onSignal);
  }
}

function finishCancelled(taskName: string, signal: NodeJS.Signals, detail?: string): void {
  const message = `${taskName} was cancelled (${signal})` + (detail === undefined ? '.' : `: ${detail}`);
  tl.setResult(tl.TaskResult.Cancelled, scrubSecrets(message));
  process.exitCode = 1;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message === '' ? error.name : error.message;
  return String(error);
}
