/**
 * The promotion's one deployment plan: found again when an earlier run for the same bundle and
 * target left one unfinished (its notes carry the manifest sha256), otherwise created after the
 * target is free of others' running plans; then driven to its end by the deployment-plan module
 * (conflicts, start, log, two-step, abort on a timeout or a cancellation). A create whose answer
 * was lost is reconciled with LifeTime's list before it is ever sent again.
 */
import type { DeploymentPlans } from '../lifetime/deployments/api';
import { drivePlan, type DriveResult } from '../lifetime/deployments/drive';
import { findPlans } from '../lifetime/deployments/find';
import type { DeploymentMessage } from '../lifetime/deployments/types';
import type { EnvironmentRef } from '../lifetime/directory';
import { LifeTimeOutcomeUnknownError } from '../lifetime/errors';
import type { Reporter } from '../util/reporter';
import { markerLine, planNotes } from './notes';
import type { TwoStepMode } from './parameters';
import type { Candidate } from './selection';
import { describePlan, isFinished, listTargetPlans, waitForOthers, type TargetPlans } from './targetPlans';

export interface PlanContext {
  plans: DeploymentPlans;
  source: EnvironmentRef;
  target: EnvironmentRef;
  /** What the plan deploys (the applications the target does not run yet). */
  candidates: Candidate[];
  bundle: { name: string; manifestSha256: string; createdAt: string };
  notes?: string;
  pipelineRun?: string;
  twoStepMode: TwoStepMode;
  redeployOutdated: boolean;
  deadline: number;
  limitText: string;
  signal: AbortSignal;
  reporter: Reporter;
}

export type PlanFailure =
  /** No plan of ours exists: the target stayed busy with others' plans. */
  | { kind: 'busy'; why: 'timeout' | 'cancelled'; blocking: string[] }
  | { kind: 'plan'; reason: string; stillRunning: boolean; conflicts?: string[] };

export interface PlanRun {
  key: string;
  created: boolean;
  drive: DriveResult;
  lifeTimeWarnings: string[];
  lifeTimeErrors: string[];
}

export async function promoteThroughPlan(context: PlanContext): Promise<PlanRun | { failure: PlanFailure }> {
  const { plans, target, reporter } = context;
  const listed = await listTargetPlans(plans, target, context.bundle);
  const own = await unfinishedOwnPlan(context, listed);
  let key: string;
  let created = false;
  if (own !== undefined && own.status !== 'saved') {
    key = own.key;
    reporter.info(`Following deployment plan ${key} (${own.status}), which an earlier run for this bundle created`);
  } else {
    const wait = await waitForOthers(plans, target, listed, {
      bundle: context.bundle,
      deadline: context.deadline,
      signal: context.signal,
      reporter,
    });
    if (wait.kind !== 'free') {
      return {
        failure: { kind: 'busy', why: wait.kind, blocking: wait.blocking.map((b) => describePlan(b.plan, b.status)) },
      };
    }
    if (own !== undefined) {
      key = own.key;
      reporter.info(`Starting deployment plan ${key}, which an earlier run for this bundle created and left saved`);
    } else {
      key = await createPlan(context);
      created = true;
    }
  }
  const warnings: string[] = [];
  const errors: string[] = [];
  const drive = await drivePlan(plans, key, {
    label: `${context.candidates.length} application(s) from "${context.source.Name}"`,
    environmentName: target.Name,
    start: { redeployOutdated: context.redeployOutdated, includeErrorDetails: true },
    twoStep: context.twoStepMode,
    deadline: context.deadline,
    limitText: context.limitText,
    signal: context.signal,
    onLog: (m) => printLog(m, reporter, warnings, errors),
    onCommand: (command) =>
      reporter.info(
        command === 'start'
          ? `Starting deployment plan ${key} (RedeployOutdated=${String(context.redeployOutdated)}, IncludeErrorDetails=true)`
          : `Continuing deployment plan ${key}: LifeTime prepared the two-step deployment`,
      ),
  });
  return { key, created, drive, lifeTimeWarnings: warnings, lifeTimeErrors: errors };
}

/** The newest plan of this bundle on the target that has not ended, if any. */
async function unfinishedOwnPlan(
  context: PlanContext,
  listed: TargetPlans,
): Promise<{ key: string; status: string } | undefined> {
  for (const plan of listed.own) {
    const key = plan.Key ?? '';
    if (key === '') continue;
    const status = await context.plans.status(key, context.signal);
    if (!isFinished(status)) return { key, status: status.status };
    context.reporter.info(`An earlier plan for this bundle, ${key}, ended ${status.status}; it is not reused`);
  }
  return undefined;
}

async function createPlan(context: PlanContext): Promise<string> {
  const { plans, source, target, reporter } = context;
  const zone = await plans.defaultZoneKey(target);
  const body = {
    ApplicationOperations: context.candidates.map((c) => ({
      ApplicationVersionKey: c.versionKey,
      DeploymentZoneKey: zone,
    })),
    Notes: planNotes(context.notes, {
      bundleName: context.bundle.name,
      manifestSha256: context.bundle.manifestSha256,
      ...(context.pipelineRun !== undefined ? { pipelineRun: context.pipelineRun } : {}),
    }),
    SourceEnvironmentKey: source.Key,
    TargetEnvironmentKey: target.Key,
  };
  const label = `the deployment plan of ${context.candidates.length} application(s) from "${source.Name}" to "${target.Name}"`;
  const since = new Date();
  let key: string;
  try {
    key = await plans.create(body, label);
  } catch (error) {
    if (!(error instanceof LifeTimeOutcomeUnknownError)) throw error;
    reporter.info(
      `The answer to creating ${label} was lost; looking for the plan in LifeTime before anything is sent again`,
    );
    const found = await findPlans(plans, {
      targetEnvironmentKey: target.Key,
      since,
      notesContain: markerLine(context.bundle.manifestSha256),
    });
    const plan = found[0];
    if (plan?.Key !== undefined) {
      reporter.info(`LifeTime did create it: deployment plan ${plan.Key}`);
      return plan.Key;
    }
    // The list proves no plan was made, so one more request cannot make a second one.
    key = await plans.create(body, label);
  }
  reporter.info(
    `Created deployment plan ${key} to "${target.Name}" (deployment zone ${zone === '' ? 'default' : zone})`,
  );
  return key;
}

function printLog(m: DeploymentMessage, reporter: Reporter, warnings: string[], errors: string[]): void {
  // LifeTime's text: the task's output layer keeps it one line and breaks any agent command in it.
  const text = m.Message ?? '';
  const type = (m.Type ?? '').toLowerCase();
  if (type === 'warning') warnings.push(text);
  if (type === 'error') errors.push(text);
  reporter.info(`  LifeTime ${m.Instant ?? ''} ${m.Type ?? 'Info'}: ${text}`);
}
