/**
 * The deployment plans on the target that matter to a promotion, from one list call: this
 * bundle's own plans (their notes carry its manifest sha256, see notes.ts) and the plans of others
 * that are running or waiting for a person, which the promotion waits for. Saved plans of others
 * do not block. The list is asked by date, far enough back that no plan hides in a one-day blind
 * spot, and a plan's status is read only when its dates cannot tell (started, not aborted).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sameKey } from '../lifetime/directory';
import { isoDay, type DeploymentPlans, type PlanStatus } from '../lifetime/deployments/api';
import type { Deployment } from '../lifetime/deployments/types';
import type { EnvironmentRef } from '../lifetime/directory';
import type { Reporter } from '../util/reporter';
import { notesCarry } from './notes';

const DAY_MS = 86_400_000;
/** Others' plans created this long ago still count: one waiting for a person can be weeks old. */
export const OTHERS_LOOKBACK_DAYS = 31;
/** The waiting's pace: quick at first (a plan about to end), then every few seconds. */
const WAIT_STEPS_MS = [500, 1000, 2000, 3000, 5000];
/** How often a long wait says it is still waiting. */
const REMIND_MS = 60_000;

const FINISHED = new Set([
  'aborted',
  'finished_successful',
  'finished_with_warnings',
  'finished_with_errors',
  'force_finished',
]);
const BLOCKING = new Set(['running', 'needs_user_intervention', 'aborting']);

export interface TargetPlans {
  /** This bundle's plans on the target, newest first. */
  own: Deployment[];
  /** Everyone else's plans on the target, newest first. */
  others: Deployment[];
}

/** LifeTime writes "1900-01-01T00:00:00" for a date that is not set (reference §1.1). */
function isSet(date: string | undefined): boolean {
  if (date === undefined || date === '') return false;
  const time = Date.parse(date);
  return !Number.isNaN(time) && new Date(time).getUTCFullYear() > 1900;
}

export function isFinished(status: PlanStatus): boolean {
  return FINISHED.has(status.status);
}

export async function listTargetPlans(
  plans: DeploymentPlans,
  target: EnvironmentRef,
  bundle: { manifestSha256: string; createdAt: string },
  now: number = Date.now(),
): Promise<TargetPlans> {
  const created = Date.parse(bundle.createdAt);
  // The bundle's own plans cannot be older than the bundle (two days of margin for clocks and zones).
  const ownSince = Number.isNaN(created) ? now - 365 * DAY_MS : created - 2 * DAY_MS;
  const since = Math.min(ownSince, now - OTHERS_LOOKBACK_DAYS * DAY_MS);
  const list = await plans.list({
    minDate: isoDay(new Date(since)),
    // A day ahead: LifeTime's calendar day may already be tomorrow where it runs.
    maxDate: isoDay(new Date(now + DAY_MS)),
    targetEnvironmentKey: target.Key,
  });
  const onTarget = list.filter(
    (p) => p.TargetEnvironmentKey === undefined || sameKey(p.TargetEnvironmentKey, target.Key),
  );
  const newestFirst = (a: Deployment, b: Deployment): number =>
    (Date.parse(b.CreatedOn ?? '') || 0) - (Date.parse(a.CreatedOn ?? '') || 0);
  const othersSince = now - OTHERS_LOOKBACK_DAYS * DAY_MS;
  return {
    own: onTarget.filter((p) => notesCarry(p.Notes, bundle.manifestSha256)).sort(newestFirst),
    others: onTarget
      .filter((p) => !notesCarry(p.Notes, bundle.manifestSha256))
      .filter((p) => !isSet(p.CreatedOn) || Date.parse(p.CreatedOn ?? '') >= othersSince)
      .sort(newestFirst),
  };
}

export interface Blocking {
  plan: Deployment;
  status: PlanStatus;
}

/** Others' plans that run or wait for a person now; `known` keeps finished ones from being asked again. */
async function blockingPlans(
  plans: DeploymentPlans,
  others: Deployment[],
  known: Map<string, PlanStatus>,
  signal: AbortSignal,
): Promise<Blocking[]> {
  const blocking: Blocking[] = [];
  for (const plan of others) {
    const key = plan.Key ?? '';
    if (key === '') continue;
    const cached = known.get(key);
    if (cached !== undefined && isFinished(cached)) continue;
    // Dates settle the common cases without a request: never started (saved), or aborted.
    if (cached === undefined && isSet(plan.AbortedOn)) continue;
    if (cached === undefined && plan.StartedOn !== undefined && !isSet(plan.StartedOn)) continue;
    const status = await plans.status(key, signal);
    known.set(key, status);
    if (BLOCKING.has(status.status)) blocking.push({ plan, status });
  }
  return blocking;
}

export function describePlan(plan: Deployment, status?: PlanStatus): string {
  const by = plan.CreatedBy !== undefined && plan.CreatedBy !== '' ? ` by ${plan.CreatedBy}` : '';
  const on = isSet(plan.CreatedOn) ? ` on ${plan.CreatedOn ?? ''}` : '';
  const state =
    status === undefined
      ? ''
      : `, ${status.status === 'needs_user_intervention' ? `waiting for a person (${status.info || 'no reason given'})` : status.status}`;
  return `deployment plan ${plan.Key ?? '?'} (created${by}${on}${state})`;
}

export type WaitOutcome =
  { kind: 'free' } | { kind: 'timeout'; blocking: Blocking[] } | { kind: 'cancelled'; blocking: Blocking[] };

/**
 * Waits while a plan of someone else runs or waits for a person on the target, saying so once per
 * plan and then every minute. New plans are looked for again once the known ones are done.
 */
export async function waitForOthers(
  plans: DeploymentPlans,
  target: EnvironmentRef,
  first: TargetPlans,
  options: {
    bundle: { manifestSha256: string; createdAt: string };
    deadline: number;
    signal: AbortSignal;
    reporter: Reporter;
  },
): Promise<WaitOutcome> {
  const known = new Map<string, PlanStatus>();
  const announced = new Set<string>();
  let others = first.others;
  let step = 0;
  let lastReminder = Date.now();
  const startedWaiting = Date.now();
  for (;;) {
    let blocking = await blockingPlans(plans, others, known, options.signal);
    if (blocking.length === 0 && announced.size > 0) {
      // The ones waited for are done; a plan started meanwhile would show up in a fresh list.
      others = (await listTargetPlans(plans, target, options.bundle)).others;
      blocking = await blockingPlans(plans, others, known, options.signal);
    }
    if (blocking.length === 0) {
      if (announced.size > 0) {
        options.reporter.info(
          `${target.Name} is free after ${Math.round((Date.now() - startedWaiting) / 1000)} s of waiting`,
        );
      }
      return { kind: 'free' };
    }
    for (const b of blocking) {
      const key = b.plan.Key ?? '';
      if (announced.has(key)) continue;
      announced.add(key);
      options.reporter.info(`Waiting for ${describePlan(b.plan, b.status)} on ${target.Name} to end`);
    }
    if (Date.now() - lastReminder >= REMIND_MS) {
      lastReminder = Date.now();
      options.reporter.info(
        `Still waiting for ${blocking.map((b) => describePlan(b.plan, b.status)).join(', ')} (${Math.round((Date.now() - startedWaiting) / 60_000)} min)`,
      );
    }
    const delay = Math.min(
      WAIT_STEPS_MS[Math.min(step++, WAIT_STEPS_MS.length - 1)] ?? 5000,
      options.deadline - Date.now(),
    );
    if (delay > 0) {
      try {
        await sleep(delay, undefined, { signal: options.signal });
      } catch {
        // Cancelled: handled below.
      }
    }
    if (options.signal.aborted) return { kind: 'cancelled', blocking };
    if (Date.now() >= options.deadline) return { kind: 'timeout', blocking };
  }
}
