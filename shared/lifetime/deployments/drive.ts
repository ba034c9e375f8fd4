/**
 * Takes one deployment plan from wherever it is to its end, as the contract says ("Publishing
 * through LifeTime"): a saved plan is checked for conflicts (any conflict: the plan is deleted and
 * the result is a failure listing them) and started; a running one is followed through its status,
 * read at least every 5 seconds, each new log message handed over once; a prepared two-step plan is
 * continued or left as told; any other intervention, errors, an abort or a force-finish are a
 * failure naming LifeTime's reason and the plan's key. A timeout or a cancellation aborts the plan
 * when LifeTime still allows it, and otherwise says the plan goes on in LifeTime.
 *
 * Results are data: the caller words the task's outcome. Only a failure to reach LifeTime at the
 * very first read is thrown.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { LifeTimeError } from '../errors';
import type { CommandAnswer, DeploymentPlans, PlanStatus } from './api';
import type { DeploymentMessage } from './types';

export interface DriveOptions {
  /** How messages name what the plan deploys, e.g. `"Customer Core" 1.1.0`. */
  label: string;
  environmentName: string;
  /** Query of the start command (the deploy sends none; Promote sends RedeployOutdated). */
  start?: { redeployOutdated?: boolean; includeErrorDetails?: boolean };
  /** At a prepared two-step plan (`Info` deployment_prepared): continue it, or stop there. */
  twoStep: 'continue' | 'stop';
  /** Milliseconds since the epoch after which the plan is aborted; none: no limit. */
  deadline?: number;
  /** The limit in words, for the message, e.g. "60 minute(s)". */
  limitText?: string;
  signal: AbortSignal;
  onLog: (message: DeploymentMessage) => void;
  /** Each status read, e.g. for progress. */
  onStatus?: (status: PlanStatus) => void;
  /** Told once before a start or continue command goes out. */
  onCommand?: (command: 'start' | 'continue') => void;
}

export type DriveResult =
  | { outcome: 'succeeded'; status: PlanStatus; warnings: string[] }
  /** Left prepared at step two (twoStep `stop`). */
  | { outcome: 'prepared'; status: PlanStatus }
  | {
      outcome: 'failed';
      reason: string;
      status?: PlanStatus;
      /** LifeTime's conflict messages, when the plan had conflicts (it was then deleted, if LifeTime let it). */
      conflicts?: string[];
      /** The plan may still go on in LifeTime (abort refused, or LifeTime unreachable). */
      stillRunning: boolean;
    };

/** The longest wait between two status reads (the contract's "at least every 5 seconds", with a margin). */
export const MAX_POLL_MS = 3000;
const POLL_STEPS_MS = [250, 500, 1000, 2000, MAX_POLL_MS];
const ABORT_REQUEST_MS = 15_000;
const RERUN = 'the plan goes on in LifeTime as it is, and a rerun follows it';

const PREPARED = new Set(['deployment_prepared', 'deploy_prepared']);

const INFO_MEANING: Record<string, string> = {
  business_process_impact: 'LifeTime asks a person to check the warnings about business process impact',
  needs_configuration_or_confirmation: 'LifeTime waits for application settings or a confirmation',
  deployment_suspended: 'a step failed while deploying and LifeTime suspended the deployment',
};

function messagesOf(status: PlanStatus, type: string): string[] {
  return status.log
    .filter((m) => (m.Type ?? '').toLowerCase() === type.toLowerCase())
    .map((m) => m.Message ?? '')
    .filter((m) => m.trim() !== '');
}

function listed(messages: string[]): string {
  return messages.length === 0 ? '' : `: ${messages.join('; ')}`;
}

/** Hands each log message over once, however often the whole log is read. */
class LogTail {
  private readonly seen = new Set<string>();
  constructor(private readonly onLog: (message: DeploymentMessage) => void) {}
  take(status: PlanStatus): void {
    for (const m of status.log) {
      const id = `${m.Instant ?? ''}\u0000${m.Type ?? ''}\u0000${m.Message ?? ''}`;
      if (this.seen.has(id)) continue;
      this.seen.add(id);
      this.onLog(m);
    }
  }
}

export async function drivePlan(plans: DeploymentPlans, key: string, options: DriveOptions): Promise<DriveResult> {
  const where = `deployment plan ${key} (${options.label} to "${options.environmentName}")`;
  const tail = new LogTail(options.onLog);
  let status: PlanStatus;
  try {
    status = await plans.status(key);
  } catch (error) {
    if (options.signal.aborted || !(error instanceof LifeTimeError)) throw error;
    return { outcome: 'failed', reason: `${where}: ${error.message}; ${RERUN}`, stillRunning: true };
  }
  let reads = 0;
  /** A continue was accepted: LifeTime may still show the plan prepared for a moment. */
  let continuing = false;
  for (;;) {
    tail.take(status);
    options.onStatus?.(status);
    try {
      const verdict = await decide(status);
      if (verdict !== undefined) return verdict;
    } catch (error) {
      if (options.signal.aborted) return abort('the task was cancelled');
      if (!(error instanceof LifeTimeError)) throw error;
      return {
        outcome: 'failed',
        reason: `${where}: ${error.message}; ${RERUN}`,
        stillRunning: true,
        status,
      };
    }
    const stop = await pause(reads++);
    if (stop !== undefined) return stop;
    try {
      status = await plans.status(key);
    } catch (error) {
      if (options.signal.aborted) return abort('the task was cancelled');
      if (error instanceof LifeTimeError) {
        return { outcome: 'failed', reason: `${where}: ${error.message}; ${RERUN}`, stillRunning: true, status };
      }
      throw error;
    }
  }

  /** undefined: keep following. */
  async function decide(current: PlanStatus): Promise<DriveResult | undefined> {
    if (current.status !== 'needs_user_intervention') continuing = false;
    switch (current.status) {
      case 'saved':
        return startSaved(current);
      case 'running':
      case 'aborting':
        return undefined;
      case 'finished_successful':
        return { outcome: 'succeeded', status: current, warnings: messagesOf(current, 'Warning') };
      case 'finished_with_warnings': {
        const warnings = messagesOf(current, 'Warning');
        return {
          outcome: 'succeeded',
          status: current,
          warnings: warnings.length > 0 ? warnings : [`LifeTime finished ${where} with warnings`],
        };
      }
      case 'finished_with_errors':
        return {
          outcome: 'failed',
          reason: `LifeTime finished ${where} with errors${listed(messagesOf(current, 'Error'))}`,
          status: current,
          stillRunning: false,
        };
      case 'aborted':
        return {
          outcome: 'failed',
          reason: `${where} was aborted in LifeTime${listed(messagesOf(current, 'Error'))}`,
          status: current,
          stillRunning: false,
        };
      case 'force_finished':
        // Not a success: a person ended the plan by force, so what it deployed is not known to be complete.
        return {
          outcome: 'failed',
          reason: `${where} was force-finished in LifeTime: what it deployed is not known to be complete; check the plan in LifeTime`,
          status: current,
          stillRunning: false,
        };
      case 'needs_user_intervention':
        return intervention(current);
      case 'unknown':
        return {
          outcome: 'failed',
          reason: `LifeTime reports ${where} in a status this task does not know ("${current.statusText}"); check the plan in LifeTime`,
          status: current,
          stillRunning: true,
        };
    }
  }

  async function startSaved(current: PlanStatus): Promise<DriveResult | undefined> {
    const details = await plans.details(key);
    const conflicts = (details.ApplicationConflicts ?? []).map(
      (c) => c.Message?.trim() || c.ModuleConflict?.ConflictType || 'a conflict without a message',
    );
    if (conflicts.length > 0) {
      const deleted = await plans.delete(key);
      return {
        outcome: 'failed',
        reason:
          `LifeTime found ${conflicts.length} conflict(s) in ${where}${listed(conflicts)}; ` +
          (deleted.accepted ? 'the plan was deleted' : `LifeTime refused to delete the plan${listed(deleted.errors)}`),
        conflicts,
        status: current,
        stillRunning: false,
      };
    }
    options.onCommand?.('start');
    const answer = await plans.command(key, 'start', options.start ?? {});
    return refusal(answer, 'start', 'saved');
  }

  async function intervention(current: PlanStatus): Promise<DriveResult | undefined> {
    if (PREPARED.has(current.info)) {
      if (options.twoStep === 'stop') return { outcome: 'prepared', status: current };
      if (continuing) return undefined;
      options.onCommand?.('continue');
      const answer = await plans.command(key, 'continue');
      continuing = answer.accepted;
      return refusal(answer, 'continue', 'needs_user_intervention');
    }
    continuing = false;
    const meaning = INFO_MEANING[current.info] ?? `LifeTime gives the reason "${current.info || 'none'}"`;
    return {
      outcome: 'failed',
      reason: `${where} waits for a person in LifeTime: ${meaning} (Info "${current.info}"); this task does not continue it: continue or abort plan ${key} in LifeTime, then run the task again`,
      status: current,
      stillRunning: true,
    };
  }

  /** A refused command: fine if the plan moved on anyway (another run did it), a failure if not. */
  async function refusal(answer: CommandAnswer, command: string, from: string): Promise<DriveResult | undefined> {
    if (answer.accepted) return undefined;
    const now = await plans.status(key);
    if (now.status !== from) {
      status = now;
      return undefined;
    }
    return {
      outcome: 'failed',
      reason: `LifeTime refused to ${command} ${where} (${answer.status})${listed(answer.errors)}`,
      status: now,
      stillRunning: false,
    };
  }

  /** Waits before the next read; a result when the limit passed or the task was cancelled. */
  async function pause(n: number): Promise<DriveResult | undefined> {
    const delay = POLL_STEPS_MS[Math.min(n, POLL_STEPS_MS.length - 1)] ?? MAX_POLL_MS;
    const left = options.deadline === undefined ? delay : Math.min(delay, options.deadline - Date.now());
    if (left > 0) {
      try {
        await sleep(left, undefined, { signal: options.signal });
      } catch {
        // Cancelled: handled below.
      }
    }
    if (options.signal.aborted) return abort('the task was cancelled');
    if (options.deadline !== undefined && Date.now() >= options.deadline) {
      return abort(`it did not finish within ${options.limitText ?? 'the time limit'}`);
    }
    return undefined;
  }

  async function abort(why: string): Promise<DriveResult> {
    // The task's own signal may be the reason; the abort gets its own short limit instead.
    const signal = AbortSignal.timeout(ABORT_REQUEST_MS);
    let answer: CommandAnswer;
    try {
      answer = await plans.command(key, 'abort', { signal });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return {
        outcome: 'failed',
        reason: `${where}: ${why}, and the abort could not be sent (${reason}); the plan may go on in LifeTime: check plan ${key} there`,
        status,
        stillRunning: true,
      };
    }
    if (answer.accepted) {
      return {
        outcome: 'failed',
        reason: `${where}: ${why}; the plan was aborted in LifeTime`,
        status,
        stillRunning: false,
      };
    }
    return {
      outcome: 'failed',
      reason: `${where}: ${why}, and LifeTime no longer allows aborting it${listed(answer.errors)}; the plan goes on in LifeTime: follow plan ${key} there`,
      status,
      stillRunning: true,
    };
  }
}
