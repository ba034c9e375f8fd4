/**
 * Finding a plan again when its key was never learnt (the answer to the create was lost, or the
 * agent was killed between the request and recording the key): LifeTime's list of deployments for
 * the target, created since the request was about to go out, that deploy the application (or carry
 * the notes) the caller is looking for. The caller decides what none, one or several mean.
 */
import { sameKey } from '../directory';
import { isoDay, type DeploymentPlans } from './api';
import type { Deployment } from './types';

export interface PlanSearch {
  targetEnvironmentKey: string;
  /** When the create request was about to go out (the journal's record of intent). */
  since: Date;
  /** The plan deploys one of these application keys (a binary: what LifeTime registered it as). */
  applicationKeys?: string[];
  /** The plan's notes contain this text (Promote: the bundle's manifest sha256). */
  notesContain?: string;
  /** Plans already known (followed earlier), left out. */
  exclude?: string[];
}

/** LifeTime's clock and the agent's differ; a plan this much older than `since` still counts. */
const CLOCK_SKEW_MS = 10 * 60_000;

function createdSince(plan: Deployment, since: Date): boolean {
  const created = Date.parse(plan.CreatedOn ?? '');
  // A plan without a readable date cannot be ruled out.
  return Number.isNaN(created) || created >= since.getTime() - CLOCK_SKEW_MS;
}

export async function findPlans(plans: DeploymentPlans, search: PlanSearch): Promise<Deployment[]> {
  // A day earlier: the list filters by LifeTime's calendar day, whatever the agent's time zone.
  const list = await plans.list({
    minDate: isoDay(new Date(search.since.getTime() - 86_400_000)),
    maxDate: isoDay(new Date(Date.now() + 86_400_000)),
    targetEnvironmentKey: search.targetEnvironmentKey,
  });
  const exclude = new Set((search.exclude ?? []).map((k) => k.toLowerCase()));
  const found: Deployment[] = [];
  for (const plan of list) {
    const key = plan.Key ?? '';
    if (exclude.has(key.toLowerCase())) continue;
    if (plan.TargetEnvironmentKey !== undefined && !sameKey(plan.TargetEnvironmentKey, search.targetEnvironmentKey)) {
      continue;
    }
    if (!createdSince(plan, search.since)) continue;
    if (search.notesContain !== undefined && !(plan.Notes ?? '').includes(search.notesContain)) continue;
    if (search.applicationKeys !== undefined && !(await deploys(plans, plan, search.applicationKeys))) continue;
    found.push(plan);
  }
  return found;
}

async function deploys(plans: DeploymentPlans, plan: Deployment, keys: string[]): Promise<boolean> {
  const listed = (plan.ApplicationOperations ?? []).map((op) => op.ApplicationKey ?? '').filter((k) => k !== '');
  // The list may leave a binary plan's operations out; its details name what it deploys.
  const inPlan =
    listed.length > 0
      ? listed
      : ((await plans.details(plan.Key ?? '')).ApplicationsToDeploy ?? []).map((a) => a.ApplicationKey ?? '');
  return inPlan.some((k) => keys.some((wanted) => sameKey(k, wanted)));
}
