/** How a bundled task run ended, checked with the run's output in the message when it did not end as expected. */
import type { TaskRun } from '../../tools/agent/taskRunner';

/** The Failed result's message; anything else fails the test, showing the run. */
export function failureOf(run: TaskRun): string {
  if (run.result?.status !== 'Failed') {
    throw new Error(`expected a Failed result, got ${JSON.stringify(run.result)}\n${run.stdout}\n${run.stderr}`);
  }
  return run.result.message;
}

/** Succeeded or SucceededWithIssues; anything else fails the test, showing the run. */
export function succeeded(run: TaskRun): void {
  if (run.result?.status !== 'Succeeded' && run.result?.status !== 'SucceededWithIssues') {
    throw new Error(`expected success, got ${JSON.stringify(run.result)}\n${run.stdout}\n${run.stderr}`);
  }
}
