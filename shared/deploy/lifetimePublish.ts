/**
 * Publishing one package through the production LifeTime (publishMethod `lifetime`): the verified
 * private copy is uploaded to the binary deployment endpoint and the plan LifeTime creates is driven
 * to its end (shared/lifetime/deployments). Nothing is uploaded twice: the intent is journalled
 * before the upload and the plan's key before it starts, so a rerun follows, starts or reports the
 * plan it finds there; an upload whose answer was lost is looked for in LifeTime's list of
 * deployments before anything is uploaded again, and when that cannot tell, the package fails
 * saying what to look at in LifeTime.
 */
import type { EnvironmentRef } from '../lifetime/directory';
import { LifeTimeError, LifeTimeNotFoundError, LifeTimeOutcomeUnknownError } from '../lifetime/errors';
import type { DeploymentPlans } from '../lifetime/deployments/api';
import { drivePlan } from '../lifetime/deployments/drive';
import { findPlans } from '../lifetime/deployments/find';
import type { DeploymentMessage } from '../lifetime/deployments/types';
import { uidToGuid } from '../oap/uid';
import type { BundleApplication } from '../bundle/manifest';
import type { DeployJournal, PlanEntry } from './journal';

export interface LifeTimePublishOptions {
  plans: DeploymentPlans;
  journal: DeployJournal;
  environment: EnvironmentRef;
  application: BundleApplication;
  /** The production LifeTime's key for the application, when the pre-flight matched it. */
  lifeTimeKey?: string;
  /** Makes the private copy that is uploaded (hashed again on the way); called only when an upload is needed. */
  privateCopy: () => Promise<string>;
  deadline: number;
  limitText: string;
  signal: AbortSignal;
  onLog: (message: DeploymentMessage) => void;
  info: (message: string) => void;
  warn: (message: string) => void;
}

export type LifeTimePublishResult =
  { published: true; planKey: string; warnings: string[] } | { published: false; reason: string; planKey?: string };

export async function publishThroughLifeTime(o: LifeTimePublishOptions): Promise<LifeTimePublishResult> {
  const app = o.application;
  const label = `"${app.name}" ${app.version}`;
  let entry = o.journal.openPlan(app.key, app.sha256);

  if (entry?.planKey !== undefined) {
    o.info(
      `Deployment plan ${entry.planKey} for ${label} was created by an earlier run; following it (no second upload)`,
    );
    const gone = await isGone(o, entry.planKey);
    if (gone) {
      o.warn(
        `deployment plan ${entry.planKey} for ${label} no longer exists in LifeTime (deleted there); the package is uploaded again`,
      );
      await o.journal.closePlan(entry);
      entry = undefined;
    }
  } else if (entry !== undefined) {
    const found = await reconcile(o, entry, 'an earlier run was stopped after it began uploading');
    if ('reason' in found) return found;
    entry = found.entry;
  }

  if (entry?.planKey === undefined) {
    const copy = await o.privateCopy();
    entry = await o.journal.recordPlanIntent({ key: app.key, name: app.name, sha256: app.sha256 });
    o.info(`Uploading ${app.file} to LifeTime ${o.plans.host} for environment "${o.environment.Name}"`);
    try {
      const planKey = await o.plans.createFromBinary(o.environment, copy, label);
      entry = await o.journal.recordPlanKey(entry, planKey);
    } catch (error) {
      if (!(error instanceof LifeTimeOutcomeUnknownError)) {
        // LifeTime answered with a refusal: nothing was created.
        await o.journal.closePlan(entry);
        throw error;
      }
      o.warn(
        `the answer to the upload of ${label} was lost (${error.message}); looking for the plan in LifeTime before anything else`,
      );
      const found = await reconcile(o, entry, 'the answer to the upload was lost');
      if ('reason' in found) return found;
      if (found.entry.planKey === undefined) {
        return {
          published: false,
          reason: `the upload of ${label} to LifeTime ${o.plans.host} got no answer and LifeTime lists no plan for it: nothing was deployed; run the task again to upload it again`,
        };
      }
      entry = found.entry;
    }
  }

  const planKey = entry.planKey ?? '';
  o.info(`Deployment plan ${planKey} for ${label} in LifeTime ${o.plans.host}`);
  const result = await drivePlan(o.plans, planKey, {
    label,
    environmentName: o.environment.Name,
    twoStep: 'continue',
    deadline: o.deadline,
    limitText: o.limitText,
    signal: o.signal,
    onLog: o.onLog,
    onCommand: (command) => o.info(`${command === 'start' ? 'Starting' : 'Continuing'} deployment plan ${planKey}`),
  });
  switch (result.outcome) {
    case 'succeeded':
      return { published: true, planKey, warnings: result.warnings };
    case 'prepared':
      return { published: false, planKey, reason: `deployment plan ${planKey} for ${label} stopped prepared` };
    case 'failed':
      // A plan that ended without deploying is closed: a rerun uploads the package for a new plan.
      if (!result.stillRunning) await o.journal.closePlan(entry);
      return { published: false, planKey, reason: result.reason };
  }
}

async function isGone(o: LifeTimePublishOptions, planKey: string): Promise<boolean> {
  try {
    await o.plans.status(planKey);
    return false;
  } catch (error) {
    if (error instanceof LifeTimeNotFoundError) return true;
    throw error;
  }
}

/**
 * The plan an upload may have created, from LifeTime's list: none (the entry is closed, so the
 * package is uploaded again), one (adopted and journalled), or a reason a person must look.
 */
async function reconcile(
  o: LifeTimePublishOptions,
  entry: PlanEntry,
  why: string,
): Promise<{ entry: PlanEntry } | { published: false; reason: string }> {
  const app = o.application;
  const keys = [app.key, uidToGuid(app.uid), o.lifeTimeKey].filter((k): k is string => k !== undefined);
  const look = `look in LifeTime ${o.plans.host} for deployment plans to "${o.environment.Name}" of "${app.name}" created since ${entry.intentAt}, delete any that was not started, and run the task again`;
  let found;
  try {
    found = await findPlans(o.plans, {
      targetEnvironmentKey: o.environment.Key,
      since: new Date(entry.intentAt),
      applicationKeys: keys,
      exclude: o.journal.knownPlanKeys(app.key, app.sha256),
    });
  } catch (error) {
    if (!(error instanceof LifeTimeError)) throw error;
    return {
      published: false,
      reason: `${why}, and LifeTime's list of deployments could not be read (${error.message}), so it cannot be told whether "${app.name}" was uploaded: ${look}`,
    };
  }
  if (found.length === 0) {
    o.info(`LifeTime lists no plan for "${app.name}" since ${entry.intentAt}: the upload did not create one`);
    await o.journal.closePlan(entry);
    return { entry: { ...entry, state: 'closed' } };
  }
  if (found.length > 1) {
    return {
      published: false,
      reason: `${why}, and LifeTime lists ${found.length} plans for "${app.name}" to "${o.environment.Name}" since then (${found.map((p) => p.Key ?? '').join(', ')}): it cannot be told which one is this deployment's; ${look}`,
    };
  }
  const planKey = found[0]?.Key ?? '';
  o.info(
    `Found deployment plan ${planKey} for "${app.name}" in LifeTime's list; following it instead of uploading again`,
  );
  return { entry: await o.journal.recordPlanKey(entry, planKey) };
}
