/**
 * Recreates the bundle's version tags in the production-network LifeTime. Every application is
 * tried and its outcome reported; the task fails afterwards if any failed. A rerun creates nothing
 * twice: an application already running the bundle's version untouched is left alone.
 */
import { verifyBundle } from '../bundle/verify';
import type { BundleApplication } from '../bundle/manifest';
import type { LifeTimeClient } from '../lifetime/client';
import { LifeTimeOutcomeUnknownError } from '../lifetime/errors';
import type { Application, AppStatusInEnv } from '../lifetime/types';
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
  matchedBy?: 'key' | 'name';
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

type TargetApp = Application & { Key: string };

function statusIn(app: Application, environmentKey: string): AppStatusInEnv | undefined {
  return app.AppStatusInEnvs?.find((s) => s.EnvironmentKey === environmentKey);
}

export async function runSyncTags(params: SyncTagsParameters, env: SyncTagsEnvironment): Promise<SyncTagsResult> {
  const { lifeTime, reporter } = env;
  const bundle = await verifyBundle(params.bundlePath, {
    ...(params.verificationKey !== undefined ? { verificationKey: params.verificationKey } : {}),
    onWarning: (m) => reporter.warn(m),
  });
  reporter.info(`Bundle verified: ${bundle.packages.length} application(s)`);
  const environment = await lifeTime.getEnvironment(params.targetEnvironment);
  const applications = await lifeTime.listApplications({ includeEnvStatus: true });
  const byKey = new Map<string, TargetApp>();
  const byName = new Map<string, TargetApp>();
  for (const a of applications) {
    if (a.Key === undefined) continue;
    byKey.set(a.Key, { ...a, Key: a.Key });
    byName.set(a.Name, { ...a, Key: a.Key });
  }

  const results: TagResult[] = [];
  for (const { application } of bundle.packages) {
    if (env.signal.aborted) throw new Error('tag synchronisation was cancelled');
    const result = await reporter.group(`${application.name} ${application.version}`, async () => {
      const r = await syncOne(application, byKey, byName, environment, lifeTime);
      reporter.info(`${r.outcome}: ${r.detail}`);
      if (r.outcome === 'skipped') reporter.warn(`"${application.name}": ${r.detail}`);
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
  byKey: ReadonlyMap<string, TargetApp>,
  byName: ReadonlyMap<string, TargetApp>,
  environment: { Key: string; Name: string },
  lifeTime: LifeTimeClient,
): Promise<TagResult> {
  const wanted = application.version;
  const keyMatch = byKey.get(application.key);
  const target = keyMatch ?? byName.get(application.name);
  if (target === undefined) {
    return {
      application,
      outcome: 'failed',
      detail: `no application with key ${application.key} or name "${application.name}" in LifeTime ${lifeTime.host}; was it deployed to ${environment.Name}?`,
      note: `unknown to this LifeTime; was it deployed to ${environment.Name}?`,
    };
  }
  const matchedBy = keyMatch !== undefined ? 'key' : 'name';
  const base: Pick<TagResult, 'application' | 'matchedBy'> = { application, matchedBy };
  const matchedText = `matched by ${matchedBy}${matchedBy === 'name' ? ` (LifeTime key ${target.Key})` : ''}`;
  try {
    const status = statusIn(target, environment.Key);
    if (status === undefined) {
      return {
        ...base,
        outcome: 'failed',
        detail: `not running in ${environment.Name}; was it deployed to ${environment.Name}?`,
        note: `not running in ${environment.Name}`,
      };
    }
    const baseKey = status.BaseApplicationVersionKey ?? '';
    const running =
      baseKey !== '' ? await lifeTime.getVersion(target.Key, baseKey, `application "${target.Name}"`) : undefined;
    const runningTag = running?.Version;
    if (runningTag !== undefined && compareVersions(runningTag, wanted) > 0) {
      return {
        ...base,
        outcome: 'skipped',
        detail: `${environment.Name} already carries the higher tag ${runningTag} (bundle: ${wanted}); not tagged`,
        note: `higher tag ${runningTag} already there`,
      };
    }
    if (status.IsModified !== true) {
      if (runningTag !== undefined && compareVersions(runningTag, wanted) === 0) {
        return {
          ...base,
          outcome: 'already tagged',
          detail: `runs ${runningTag} unmodified, ${matchedText}; nothing to do`,
          note: 'nothing to do',
        };
      }
      if (runningTag !== undefined) {
        return {
          ...base,
          outcome: 'failed',
          detail: `${environment.Name} runs the unmodified tag ${runningTag}, not the bundle's ${wanted}; was it deployed to ${environment.Name}?`,
          note: `runs ${runningTag} unmodified; not deployed?`,
        };
      }
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

/** A POST whose outcome is unknown is never repeated blindly: the state is read first. */
async function createTag(
  application: BundleApplication,
  target: TargetApp,
  environment: { Key: string; Name: string },
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
    const again = await lifeTime.getApplication(target.Key, {
      includeEnvStatus: true,
      label: `application "${target.Name}"`,
    });
    const status = statusIn(again, environment.Key);
    const key = status?.BaseApplicationVersionKey ?? '';
    if (key !== '' && status?.IsModified !== true) {
      const version = await lifeTime.getVersion(target.Key, key, `application "${target.Name}"`);
      if (version.Version !== undefined && compareVersions(version.Version, application.version) === 0) return key;
    }
    // The state proves the tag was not created, so one more attempt cannot make a duplicate.
    return lifeTime.createVersion(environment, app, body);
  }
}
