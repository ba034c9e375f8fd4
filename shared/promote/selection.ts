/**
 * What the promotion deploys: for each application of the bundle, the version PRE runs, checked to
 * be the one tagged with the bundle's version number and unmodified, and whether the target
 * already runs it. Nothing here changes LifeTime; every refusal comes back as data (report.ts
 * words it) before a plan exists.
 */
import type { BundleApplication } from '../bundle/manifest';
import type { LifeTimeClient } from '../lifetime/client';
import { sameKey, statusInEnvironment } from '../lifetime/directory';
import type { ApplicationDirectory, EnvironmentRef, LifeTimeApplication, MatchedBy } from '../lifetime/directory';
import { compareVersions } from '../synctags/versionCompare';

export interface Candidate {
  application: BundleApplication;
  /** The production LifeTime's application (its key may differ from the bundle's). */
  lifeTime: { Key: string; Name: string };
  matchedBy: MatchedBy;
  /** The version key PRE runs: the tag with the bundle's version number. */
  versionKey: string;
  /** The target's tag before the promotion ('' untagged), undefined when it does not run there. */
  fromVersion?: string;
  /** The target runs changes made after `fromVersion`. */
  fromModified: boolean;
  /** The target already runs exactly this version, unmodified: left out of the plan. */
  alreadyThere: boolean;
}

export type RefusalReason =
  | { why: 'unknown application' }
  | { why: 'not running' }
  | { why: 'never tagged' }
  | { why: 'runs another tag'; runningTag: string }
  | { why: 'modified'; runningTag: string; modifiedMessage?: string };

export type Refusal = RefusalReason & { application: BundleApplication };

export interface Selection {
  candidates: Candidate[];
  refusals: Refusal[];
}

export interface SelectionContext {
  lifeTime: LifeTimeClient;
  source: EnvironmentRef;
  target: EnvironmentRef;
  directory: ApplicationDirectory;
}

/** Every application is checked, so that one run names every problem. */
export async function selectVersions(
  applications: readonly BundleApplication[],
  context: SelectionContext,
): Promise<Selection> {
  const selection: Selection = { candidates: [], refusals: [] };
  for (const application of applications) {
    const outcome = await checkOne(application, context);
    if ('why' in outcome) selection.refusals.push({ ...outcome, application });
    else selection.candidates.push(outcome);
  }
  return selection;
}

async function checkOne(application: BundleApplication, context: SelectionContext): Promise<Candidate | RefusalReason> {
  const { lifeTime, source, target } = context;
  const found = context.directory.match(application);
  if (found === undefined) return { why: 'unknown application' };
  const { application: app, matchedBy } = found;
  const status = statusInEnvironment(app, source.Key);
  if (status === undefined) return { why: 'not running' };
  const baseKey = status.BaseApplicationVersionKey ?? '';
  if (baseKey === '') return { why: 'never tagged' };
  // The version record, not the status's label, is what says which number this key carries.
  const tagged = await lifeTime.getVersion(
    app.Key,
    baseKey,
    `the version ${source.Name} runs of application "${app.Name}"`,
  );
  const runningTag = tagged.Version ?? '';
  if (compareVersions(runningTag, application.version) !== 0) return { why: 'runs another tag', runningTag };
  if (status.IsModified === true) {
    return {
      why: 'modified',
      runningTag,
      ...(status.IsModifiedMessage !== undefined ? { modifiedMessage: status.IsModifiedMessage } : {}),
    };
  }
  const inTarget = statusInEnvironment(app, target.Key);
  const targetKey = inTarget?.BaseApplicationVersionKey ?? '';
  const fromModified = inTarget?.IsModified === true;
  const candidate: Candidate = {
    application,
    lifeTime: { Key: app.Key, Name: app.Name },
    matchedBy,
    versionKey: tagged.Key,
    fromModified,
    alreadyThere: inTarget !== undefined && targetKey !== '' && sameKey(targetKey, tagged.Key) && !fromModified,
  };
  if (inTarget !== undefined) {
    candidate.fromVersion = await targetLabel(context, app, targetKey, inTarget.BaseApplicationVersionLabel);
  }
  return candidate;
}

/** The target's tag for the summary: the status's label when LifeTime sends it, else the version record. */
async function targetLabel(
  context: SelectionContext,
  app: LifeTimeApplication,
  versionKey: string,
  label: string | undefined,
): Promise<string> {
  if (versionKey === '') return '';
  if (label !== undefined && label !== '') return label;
  const version = await context.lifeTime.getVersion(
    app.Key,
    versionKey,
    `the version ${context.target.Name} runs of application "${app.Name}"`,
  );
  return version.Version ?? '';
}
