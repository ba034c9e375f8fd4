/**
 * What the promotion deploys: for each application of the bundle, the version PRE runs, checked to
 * be the one tagged with the bundle's version number and unmodified, and whether the target
 * already runs it. Nothing here changes LifeTime; every refusal happens before a plan exists.
 */
import type { BundleApplication } from '../bundle/manifest';
import type { LifeTimeClient } from '../lifetime/client';
import { statusInEnvironment, sameKey } from '../lifetime/status';
import type { Application } from '../lifetime/types';
import { uidToGuid } from '../oap/uid';
import { compareVersions } from '../synctags/versionCompare';

export type MatchedBy = 'key' | 'uid' | 'name';

export interface EnvironmentRef {
  Key: string;
  Name: string;
}

export interface Candidate {
  application: BundleApplication;
  /** The production LifeTime's application (its key may differ from the bundle's). */
  lifeTime: { Key: string; Name: string };
  matchedBy: MatchedBy;
  /** The version key PRE runs: the tag with the bundle's version number. */
  versionKey: string;
  /** The target's tag before the promotion, undefined when it does not run there. */
  fromVersion?: string;
  /** The target runs changes made after `fromVersion`. */
  fromModified: boolean;
  /** True when the target already runs exactly this version, unmodified: left out of the plan. */
  alreadyThere: boolean;
}

export interface Refusal {
  application: BundleApplication;
  problem: string;
}

/** Some application is not ready to go: the message names each one; no plan was made. */
export class PromotionRefusedError extends Error {
  override name = 'PromotionRefusedError';
  constructor(
    message: string,
    readonly refusals: Refusal[],
  ) {
    super(message);
  }
}

type KeyedApp = Application & { Key: string };

/** The tag sync's matching: by key, then by the GUID of the package UID, then by name. */
export class ApplicationMatcher {
  private readonly byKey = new Map<string, KeyedApp>();
  private readonly byName = new Map<string, KeyedApp>();

  constructor(applications: readonly Application[]) {
    for (const a of applications) {
      if (a.Key === undefined) continue;
      const app = { ...a, Key: a.Key };
      this.byKey.set(a.Key.toLowerCase(), app);
      this.byName.set(a.Name, app);
    }
  }

  match(application: BundleApplication): { app: KeyedApp; matchedBy: MatchedBy } | undefined {
    const key = this.byKey.get(application.key.toLowerCase());
    if (key !== undefined) return { app: key, matchedBy: 'key' };
    const guid = uidToGuid(application.uid);
    const uid = guid === undefined ? undefined : this.byKey.get(guid.toLowerCase());
    if (uid !== undefined) return { app: uid, matchedBy: 'uid' };
    const name = this.byName.get(application.name);
    return name === undefined ? undefined : { app: name, matchedBy: 'name' };
  }
}

export interface SelectionContext {
  lifeTime: LifeTimeClient;
  source: EnvironmentRef;
  target: EnvironmentRef;
  matcher: ApplicationMatcher;
}

/** Every application is checked, so that one run names every problem; then it fails if any was found. */
export async function selectVersions(
  applications: readonly BundleApplication[],
  context: SelectionContext,
): Promise<Candidate[]> {
  const candidates: Candidate[] = [];
  const refusals: Refusal[] = [];
  for (const application of applications) {
    const outcome = await checkOne(application, context);
    if ('problem' in outcome) refusals.push(outcome);
    else candidates.push(outcome);
  }
  if (refusals.length > 0) {
    throw new PromotionRefusedError(
      `${refusals.length} of ${applications.length} application(s) cannot be promoted from "${context.source.Name}" to "${context.target.Name}" (LifeTime ${context.lifeTime.host}); no deployment plan was created: ` +
        refusals.map((r) => `"${r.application.name}" ${r.application.version}: ${r.problem}`).join('; '),
      refusals,
    );
  }
  return candidates;
}

async function checkOne(application: BundleApplication, context: SelectionContext): Promise<Candidate | Refusal> {
  const { lifeTime, source, target } = context;
  const wanted = application.version;
  const found = context.matcher.match(application);
  if (found === undefined) {
    return {
      application,
      problem: `no application with key ${application.key}, UID ${application.uid} or name "${application.name}" in LifeTime ${lifeTime.host}; was the bundle deployed to ${source.Name}?`,
    };
  }
  const { app, matchedBy } = found;
  const status = statusInEnvironment(app, source.Key);
  if (status === undefined) {
    return { application, problem: `does not run in ${source.Name}; was the bundle deployed there?` };
  }
  const baseKey = status.BaseApplicationVersionKey ?? '';
  if (baseKey === '') {
    return {
      application,
      problem: `runs in ${source.Name} but was never tagged there; run the tag sync (OutSystemsAirGapSyncTags) for this bundle first`,
    };
  }
  // The version record, not the status's label, is what says which number this key carries.
  const tagged = await lifeTime.getVersion(
    app.Key,
    baseKey,
    `the version ${source.Name} runs of application "${app.Name}"`,
  );
  const runningTag = tagged.Version ?? '';
  if (compareVersions(runningTag, wanted) !== 0) {
    return {
      application,
      problem: `${source.Name} runs the tag ${runningTag === '' ? '(without a number)' : runningTag}, not the bundle's ${wanted}; deploy this bundle to ${source.Name} and run the tag sync first`,
    };
  }
  if (status.IsModified === true) {
    return {
      application,
      problem: `${source.Name} runs changes made after its tag ${runningTag} (${status.IsModifiedMessage ?? 'modified'}), so the tagged version is not what was verified there`,
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
  app: KeyedApp,
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
