import * as tl from 'azure-pipelines-task-lib/task';
import { TEST_KNOBS_ARGUMENT } from '../http/testKnobs';
import { endRunningTools } from '../osptool/registry';
import { runForcedExitCleanups } from './forcedExit';
import { installOutputScrubber } from './output';
import { scrubSecrets } from './secretRegistry';
import { untrustedData } from './untrusted';

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
 * CANCEL_GRACE_MS, or AIRGAP_CANCEL_GRACE_MS when the process carries the test-knobs argument (a
 * pipeline cannot set it; see shared/http/testKnobs.ts), so a test can reach the grace timer.
 */
function cancelGraceMs(): number {
  if (!process.argv.slice(2).includes(TEST_KNOBS_ARGUMENT)) return CANCEL_GRACE_MS;
  const raw = process.env['AIRGAP_CANCEL_GRACE_MS']?.trim() ?? '';
  return /^\d+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= CANCEL_GRACE_MS ? Number(raw) : CANCEL_GRACE_MS;
}

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
      exitNow(taskName, `${cancelledBy}, then ${signal} before it had cleaned up`);
    }
    cancelledBy = signal;
    tl.warning(`${taskName} was asked to stop (${signal}); cleaning up.`);
    controller.abort(new Error(`${taskName} was cancelled (${signal}).`));
    const graceMs = cancelGraceMs();
    setTimeout(
      () => exitNow(taskName, `${signal}, and it had not cleaned up within ${graceMs / 1000} s`),
      graceMs,
    ).unref();
  };
  for (const signal of CANCEL_SIGNALS) process.on(signal, onSignal);
  // Whatever way the process goes (an uncaught error included), no OSPTool outlives it.
  process.on('exit', endRunningTools);

  let warnings = 0;
  const context: TaskContext = {
    signal: controller.signal,
    warn(message: string): void {
      warnings++;
      tl.warning(safe(message));
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
      tl.setResult(tl.TaskResult.SucceededWithIssues, safe(`${outcome.message} (${warnings} ${plural})`));
    } else {
      tl.setResult(tl.TaskResult.Succeeded, safe(outcome.message));
    }
  } catch (error: unknown) {
    if (error instanceof Error && error.stack !== undefined) tl.debug(safe(error.stack));
    if (cancelledBy !== undefined) {
      finishCancelled(taskName, cancelledBy, messageOf(error));
    } else {
      tl.setResult(tl.TaskResult.Failed, safe(messageOf(error)));
    }
  } finally {
    for (const signal of CANCEL_SIGNALS) process.off(signal, onSignal);
  }
}

/**
 * Ends the task at once, but never leaving OSPTool behind: the tools (their process groups) are
 * killed synchronously first, then the operation's forced-exit clean-ups run (the deploy lock is
 * released), and the result line says what was done.
 */
function exitNow(taskName: string, why: string): never {
  const ended = endRunningTools();
  const notes = [
    ...(ended.length > 0 ? [`OSPTool (process ${ended.join(', ')}) was ended`] : []),
    ...runForcedExitCleanups(),
  ];
  tl.setResult(
    tl.TaskResult.Cancelled,
    safe(`${taskName} was cancelled (${why})` + (notes.length > 0 ? `; ${notes.join('; ')}.` : '.')),
  );
  process.exit(1);
}

function finishCancelled(taskName: string, signal: NodeJS.Signals, detail?: string): void {
  const message = `${taskName} was cancelled (${signal})` + (detail === undefined ? '.' : `: ${detail}`);
  tl.setResult(tl.TaskResult.Cancelled, safe(message));
  process.exitCode = 1;
}

/** Messages quote application names, files and LifeTime's answers: data for the agent, never commands. */
function safe(message: string): string {
  return untrustedData(scrubSecrets(message));
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message === '' ? error.name : error.message;
  return String(error);
}
