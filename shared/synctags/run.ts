/**
 * Recreates the bundle's version tags in the production-network LifeTime. Every application is
 * tried and its outcome reported; the task fails afterwards if any failed. A rerun creates nothing
 * twice: an application already running the bundle's version untouched is left alone.
 */
import { verifyBundle } from '../bundle/verify';
import type { BundleApplication } from '../bundle/manifest';
import type { LifeTimeClient } from '../lifetime/client';
import { LifeTimeOutcomeUnknownError } from '../lifetime/errors';
import { statusInEnvironment } from '../lifetime/directory';
import type { ApplicationDirectory, EnvironmentRef, LifeTimeApplication, MatchedBy } from '../lifetime/directory';
import type { Reporter } from '../reporter';
import type { SyncTagsParameters } from './parameters';
import { compareVersions } from './versionCompare';

export type TagOutcome = 'tagged' | 'already tagged' | 'skipped' | 'failed';

export interface TagResult {
  application: BundleApplication;
  outcome: TagOutcome;
  /** The full sentence for the log and the failure message. */
  detail: string;
  /** The same, without what the summary's other columns already say. */
  note: string;
  matchedBy?: MatchedBy;
  /** Something a person must read although nothing failed. */
  warning?: string;
}

export interface SyncTagsResult {
  environment: string;
  results: TagResult[];
  taggedCount: number;
}

export class SyncTagsFailedError extends Error {
  override name = 'SyncTagsFailedError';
  constructor(
    message: string,
    readonly result: SyncTagsResult,
  ) {
    super(message);
  }
}

export interface SyncTagsEnvironment {
  lifeTime: LifeTimeClient;
  reporter: Reporter;
  signal: AbortSignal;
}

export async function runSyncTags(params: SyncTagsParameters, env: SyncTagsEnvironment): Promise<SyncTagsResult> {
  const { lifeTime, reporter } = env;
  const bundle = await verifyBundle(params.bundlePath, {
    ...(params.verificationKey !== undefined ? { verificationKey: params.verificationKey } : {}),
    onWarning: (m) => reporter.warn(m),
  });
  reporter.info(`Bundle verified: ${bundle.packages.length} application(s)`);
  const environment = await lifeTime.getEnvironment(params.targetEnvironment);
  const directory = await lifeTime.applicationDirectory({ includeEnvStatus: true });

  const results: TagResult[] = [];
  for (const { application } of bundle.packages) {
    if (env.signal.aborted) throw new Error('tag synchronisation was cancelled');
    const result = await reporter.group(`${application.name} ${application.version}`, async () => {
      const r = await syncOne(application, directory, environment, lifeTime);
      reporter.info(`${r.outcome}: ${r.detail}`);
      if (r.outcome === 'skipped') reporter.warn(`"${application.name}": ${r.detail}`);
      if (r.warning !== undefined) reporter.warn(`"${application.name}": ${r.warning}`);
      return r;
    });
    results.push(result);
  }
  const summary: SyncTagsResult = {
    environment: environment.Name,
    results,
    taggedCount: results.filter((r) => r.outcome === 'tagged').length,
  };
  const failed = results.filter((r) => r.outcome === 'failed');
  if (failed.length > 0) {
    throw new SyncTagsFailedError(
      `${failed.length} of ${results.length} application(s) could not be tagged in "${environment.Name}" (LifeTime ${lifeTime.host}): ` +
        failed.map((r) => `"${r.application.name}": ${r.detail}`).join('; '),
      summary,
    );
  }
  return summary;
}

async function syncOne(
  application: BundleApplication,
  directory: ApplicationDirectory,
  environment: EnvironmentRef,
  lifeTime: LifeTimeClient,
): Promise<TagResult> {
  const wanted = application.version;
  const found = directory.match(application);
  if (found === undefined) {
    return {
      application,
      outcome: 'failed',
      detail: `no application with key ${application.key}, UID ${application.uid} or name "${application.name}" in LifeTime ${lifeTime.host}; was it deployed to ${environment.Name}?`,
      note: `unknown to this LifeTime; was it deployed to ${environment.Name}?`,
    };
  }
  const { application: target, matchedBy } = found;
  const base: Pick<TagResult, 'application' | 'matchedBy'> = { application, matchedBy };
  const matchedText = `matched by ${matchedBy}${matchedBy === 'key' ? '' : ` (LifeTime key ${target.Key})`}`;
  const label = `application "${target.Name}"`;
  try {
    const status = statusInEnvironment(target, environment.Key);
    if (status === undefined) {
      return {
        ...base,
        outcome: 'failed',
        detail: `not running in ${environment.Name}; was it deployed to ${environment.Name}?`,
        note: `not running in ${environment.Name}`,
      };
    }
    const baseKey = status.BaseApplicationVersionKey ?? '';
    const runningTag = baseKey !== '' ? (await lifeTime.getVersion(target.Key, baseKey, label)).Version : undefined;
    const modified = status.IsModified === true;
    const order = runningTag === undefined ? undefined : compareVersions(runningTag, wanted);
    if (order !== undefined && order > 0) {
      return {
        ...base,
        outcome: 'skipped',
        detail: `${environment.Name} already carries the higher tag ${runningTag ?? ''} (bundle: ${wanted}); not tagged`,
        note: `higher tag ${runningTag ?? ''} already there`,
      };
    }
    if (order === 0) {
      // The number is taken: LifeTime cannot tag it twice, so this is the no-op a rerun must be.
      const result: TagResult = {
        ...base,
        outcome: 'already tagged',
        detail: `runs ${wanted}${modified ? ' with changes made after that tag' : ' unmodified'}, ${matchedText}; nothing to do`,
        note: modified ? 'tagged earlier; changed since' : 'nothing to do',
      };
      if (modified) {
        result.warning = `${environment.Name} runs changes made after its tag ${wanted} (${status.IsModifiedMessage ?? 'modified'}); a version number cannot be tagged twice, so tag these changes by hand if they are to be kept`;
      }
      return result;
    }
    if (!modified && runningTag !== undefined) {
      return {
        ...base,
        outcome: 'failed',
        detail: `${environment.Name} runs the unmodified tag ${runningTag}, not the bundle's ${wanted}; was it deployed to ${environment.Name}?`,
        note: `runs ${runningTag} unmodified; not deployed?`,
      };
    }
    const existing = await existingTag(lifeTime, target, wanted);
    if (existing !== undefined) {
      return {
        ...base,
        outcome: 'failed',
        detail: `LifeTime already has version ${wanted} of this application (version key ${existing}), but ${environment.Name} runs other code${runningTag !== undefined ? ` (changed since ${runningTag})` : ''}; a version number cannot be tagged twice`,
        note: `version ${wanted} exists but is not what runs`,
      };
    }
    const key = await createTag(application, target, environment, lifeTime);
    return {
      ...base,
      outcome: 'tagged',
      detail: `tagged ${wanted} (version key ${key}) on what runs in ${environment.Name}, ${matchedText}`,
      note: `version key ${key}`,
    };
  } catch (error) {
    const message = (error as Error).message;
    return { ...base, outcome: 'failed', detail: message, note: message };
  }
}

/** The key of an existing version with that number, if LifeTime has one among the recent ones. */
async function existingTag(
  lifeTime: LifeTimeClient,
  target: LifeTimeApplication,
  version: string,
): Promise<string | undefined> {
  const versions = await lifeTime.listVersions(target.Key, { max: 50, label: `application "${target.Name}"` });
  return versions.find((v) => v.Version !== undefined && compareVersions(v.Version, version) === 0)?.Key;
}

/** A POST whose outcome is unknown is never repeated blindly: the state is read first. */
async function createTag(
  application: BundleApplication,
  target: LifeTimeApplication,
  environment: EnvironmentRef,
  lifeTime: LifeTimeClient,
): Promise<string> {
  const body = {
    Version: application.version,
    ChangeLog: application.changeLog,
    MobileVersions:
      application.mobileVersions !== undefined && application.mobileVersions.length > 0
        ? application.mobileVersions
        : null,
  };
  const app = { Key: target.Key, Name: target.Name };
  try {
    return await lifeTime.createVersion(environment, app, body);
  } catch (error) {
    if (!(error instanceof LifeTimeOutcomeUnknownError)) throw error;
    const created = await existingTag(lifeTime, target, application.version);
    if (created !== undefined) return created;
    // The state proves the tag was not created, so one more attempt cannot make a duplicate.
    return lifeTime.createVersion(environment, app, body);
  }
}
