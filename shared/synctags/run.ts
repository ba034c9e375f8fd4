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
import type { Reporter } from '../util/reporter';
import type { SyncTagsParameters } from './parameters';
import { describeTag } from './report';
import { compareVersions } from './versionCompare';

export type TagOutcome = 'tagged' | 'already tagged' | 'skipped' | 'failed';

/** What was found or done for one application, as data; report.ts puts it in words. */
export type TagFinding =
  | { outcome: 'tagged'; versionKey: string }
  | { outcome: 'already tagged'; modified: boolean; modifiedMessage?: string }
  | { outcome: 'skipped'; runningTag: string }
  | { outcome: 'failed'; why: 'unknown application' }
  | { outcome: 'failed'; why: 'not running' }
  | { outcome: 'failed'; why: 'runs another tag'; runningTag: string }
  | { outcome: 'failed'; why: 'number taken'; existingKey: string; runningTag?: string }
  | { outcome: 'failed'; why: 'error'; message: string };

export type TagResult = TagFinding & {
  application: BundleApplication;
  /** How the LifeTime application was found, and its key there. */
  match?: { matchedBy: MatchedBy; lifeTimeKey: string };
};

export interface SyncTagsResult {
  environment: string;
  lifeTimeHost: string;
  results: TagResult[];
  taggedCount: number;
}

export interface SyncTagsEnvironment {
  lifeTime: LifeTimeClient;
  reporter: Reporter;
  signal: AbortSignal;
}

/** Every application is tried; failures come back as outcomes (see report.ts for the task's verdict). */
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
      const words = describeTag(r, { environment: environment.Name, lifeTimeHost: lifeTime.host });
      reporter.info(`${r.outcome}: ${words.detail}`);
      if (r.outcome === 'skipped') reporter.warn(`"${application.name}": ${words.detail}`);
      if (words.warning !== undefined) reporter.warn(`"${application.name}": ${words.warning}`);
      return r;
    });
    results.push(result);
  }
  return {
    environment: environment.Name,
    lifeTimeHost: lifeTime.host,
    results,
    taggedCount: results.filter((r) => r.outcome === 'tagged').length,
  };
}

async function syncOne(
  application: BundleApplication,
  directory: ApplicationDirectory,
  environment: EnvironmentRef,
  lifeTime: LifeTimeClient,
): Promise<TagResult> {
  const wanted = application.version;
  const found = directory.match(application);
  if (found === undefined) return { application, outcome: 'failed', why: 'unknown application' };
  const { application: target, matchedBy } = found;
  const base = { application, match: { matchedBy, lifeTimeKey: target.Key } };
  const label = `application "${target.Name}"`;
  try {
    const status = statusInEnvironment(target, environment.Key);
    if (status === undefined) return { ...base, outcome: 'failed', why: 'not running' };
    const baseKey = status.BaseApplicationVersionKey ?? '';
    const runningTag = baseKey !== '' ? (await lifeTime.getVersion(target.Key, baseKey, label)).Version : undefined;
    const modified = status.IsModified === true;
    const order = runningTag === undefined ? undefined : compareVersions(runningTag, wanted);
    if (order !== undefined && order > 0) return { ...base, outcome: 'skipped', runningTag: runningTag ?? '' };
    if (order === 0) {
      // The number is taken: LifeTime cannot tag it twice, so this is the no-op a rerun must be.
      return {
        ...base,
        outcome: 'already tagged',
        modified,
        ...(status.IsModifiedMessage !== undefined ? { modifiedMessage: status.IsModifiedMessage } : {}),
      };
    }
    if (!modified && runningTag !== undefined)
      return { ...base, outcome: 'failed', why: 'runs another tag', runningTag };
    const existing = await existingTag(lifeTime, target, wanted);
    if (existing !== undefined) {
      return {
        ...base,
        outcome: 'failed',
        why: 'number taken',
        existingKey: existing,
        ...(runningTag !== undefined ? { runningTag } : {}),
      };
    }
    const versionKey = await createTag(application, target, environment, lifeTime);
    return { ...base, outcome: 'tagged', versionKey };
  } catch (error) {
    return { ...base, outcome: 'failed', why: 'error', message: (error as Error).message };
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

/**
 * The largest change log sent with a tag. LifeTime documents no limit (the Swagger's
 * ApplicationVersionCreate.ChangeLog is a plain string), but it refuses a large request body with a
 * 400 after the whole of it has crossed the network; real change logs are a few lines. A bigger one
 * in the bundle is a mistake or an attack, and is refused here, naming the application, unsent.
 */
export const MAX_CHANGE_LOG_BYTES = 256 * 1024;

/** A POST whose outcome is unknown is never repeated blindly: the state is read first. */
async function createTag(
  application: BundleApplication,
  target: LifeTimeApplication,
  environment: EnvironmentRef,
  lifeTime: LifeTimeClient,
): Promise<string> {
  const changeLogBytes = Buffer.byteLength(application.changeLog, 'utf8');
  if (changeLogBytes > MAX_CHANGE_LOG_BYTES) {
    throw new Error(
      `the change log of "${application.name}" ${application.version} in the bundle is ${changeLogBytes} bytes, more than the ${MAX_CHANGE_LOG_BYTES} a tag may carry; no tag was sent to LifeTime`,
    );
  }
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
