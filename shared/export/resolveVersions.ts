/**
 * Which application versions the bundle carries. A name list exports the tagged version running
 * in the source environment; a manifest pins exact versions, each checked to still exist. All
 * problems are gathered and reported together, so one run tells the user everything to fix.
 */
import type { LifeTimeClient } from '../lifetime/client';
import { LifeTimeNotFoundError } from '../lifetime/errors';
import { statusInEnvironment } from '../lifetime/directory';
import type { ApplicationDirectory, EnvironmentRef, LifeTimeApplication } from '../lifetime/directory';
import type { ApplicationVersion, MobileVersion } from '../lifetime/types';
import { mapWithConcurrency } from '../util/concurrency';
import type { DownloadLinks } from './downloadLinks';
import type { PinnedVersion } from './manifestScope';

const VERSION_LOOKUPS_AT_ONCE = 8;

export interface ResolvedVersion extends PinnedVersion {
  mobileVersions?: MobileVersion[];
  /** Set when the source runs code changed since this tag: the tag, not the running code, is exported. */
  modifiedSinceTag?: string;
}

/** Download links to ask for while the versions are looked up: the first `count` of the scope. */
export interface EarlyLinks {
  links: DownloadLinks;
  count: number;
}

export class ScopeError extends Error {
  override name = 'ScopeError';
}

function fromVersion(base: Omit<ResolvedVersion, 'version'>, v: ApplicationVersion, fallbackVersion?: string) {
  const resolved: ResolvedVersion = { ...base, version: v.Version ?? fallbackVersion ?? '' };
  if (v.ChangeLog !== undefined) resolved.changeLog = v.ChangeLog;
  if (v.CreatedOn !== undefined) resolved.createdOn = v.CreatedOn;
  if (v.MobileVersions !== undefined && v.MobileVersions.length > 0) resolved.mobileVersions = v.MobileVersions;
  return resolved;
}

function throwIfProblems(problems: string[], lifeTime: string): void {
  if (problems.length === 1) throw new ScopeError(`${problems[0] ?? ''} (LifeTime ${lifeTime})`);
  if (problems.length > 1) {
    throw new ScopeError(
      `${problems.length} applications cannot be exported from LifeTime ${lifeTime}:\n- ${problems.join('\n- ')}`,
    );
  }
}

export async function resolveByNames(
  client: LifeTimeClient,
  environment: EnvironmentRef,
  names: readonly string[],
  /** The directory call, when the caller started it already (see runExport). */
  started?: Promise<ApplicationDirectory>,
  early?: EarlyLinks,
): Promise<ResolvedVersion[]> {
  // One list call with the status per environment instead of one call per application.
  const directory = await (started ?? client.applicationDirectory({ includeEnvStatus: true }));

  const problems: string[] = [];
  const found: { app: LifeTimeApplication; versionKey: string; modified?: string }[] = [];
  for (const name of names) {
    const app = directory.byName(name);
    if (app === undefined) {
      problems.push(`application "${name}" not found${directory.hintFor(name)}`);
      continue;
    }
    const status = statusInEnvironment(app, environment.Key);
    if (status === undefined) {
      problems.push(`application "${name}" is not running in environment "${environment.Name}"`);
      continue;
    }
    const versionKey = status.BaseApplicationVersionKey ?? '';
    if (versionKey === '') {
      problems.push(
        `application "${name}" runs in "${environment.Name}" but was never tagged; tag a version in LifeTime first`,
      );
      continue;
    }
    const entry: (typeof found)[number] = { app, versionKey };
    if (status.IsModified === true) {
      entry.modified = status.IsModifiedMessage ?? 'modified since its last tag';
    }
    found.push(entry);
  }
  throwIfProblems(problems, client.host);

  // The content link needs only the two keys, known now: the first downloads' links are asked
  // for beside the version lookups instead of after them, one round trip less before the first
  // byte. Only once the names all resolved, so a scope that fails asks for no link. The version
  // number is not known yet; the download relabels a failure with it (DownloadLinks.take).
  for (const { app, versionKey } of found.slice(0, early?.count ?? 0)) {
    early?.links.start(app.Key, versionKey, `application "${app.Name}" (version key ${versionKey})`);
  }

  // A few at a time rather than one by one: each is a round trip, and with N applications the
  // export otherwise waits N latencies before its first download.
  return mapWithConcurrency(found, VERSION_LOOKUPS_AT_ONCE, async ({ app, versionKey, modified }) => {
    const v = await client.getVersion(app.Key, versionKey, `application "${app.Name}"`);
    if (v.Version === undefined || v.Version.trim() === '') {
      throw new ScopeError(
        `application "${app.Name}" runs version key ${versionKey}, which LifeTime ${client.host} returns without a version number`,
      );
    }
    const r = fromVersion({ name: app.Name, key: app.Key, versionKey, isTestApplication: false }, v);
    if (modified !== undefined) r.modifiedSinceTag = modified;
    return r;
  });
}

export async function resolvePinned(
  client: LifeTimeClient,
  pinned: readonly PinnedVersion[],
  early?: EarlyLinks,
): Promise<ResolvedVersion[]> {
  // A manifest names both keys and the version up front: the first downloads' links go out
  // beside the version checks. A check that fails leaves its link unused (a read, nothing written).
  for (const p of pinned.slice(0, early?.count ?? 0)) {
    early?.links.start(p.key, p.versionKey, pinnedLabel(p));
  }
  // A few at a time, as for names; the problems are still gathered in the manifest's order.
  const outcomes = await mapWithConcurrency(
    pinned,
    VERSION_LOOKUPS_AT_ONCE,
    async (p): Promise<{ resolved: ResolvedVersion } | { problem: string }> => {
      try {
        const v = await client.getVersion(p.key, p.versionKey, pinnedLabel(p));
        const r = fromVersion(
          { name: p.name, key: p.key, versionKey: p.versionKey, isTestApplication: p.isTestApplication },
          v,
          p.version,
        );
        if (r.changeLog === undefined && p.changeLog !== undefined) r.changeLog = p.changeLog;
        if (r.createdOn === undefined && p.createdOn !== undefined) r.createdOn = p.createdOn;
        if (v.Version !== undefined && v.Version !== p.version) {
          return {
            problem: `the manifest pins application "${p.name}" at version ${p.version}, but LifeTime has version key ${p.versionKey} as ${v.Version}`,
          };
        }
        return { resolved: r };
      } catch (error) {
        if (error instanceof LifeTimeNotFoundError) {
          return {
            problem: `version ${p.version} of application "${p.name}" (version key ${p.versionKey}) no longer exists`,
          };
        }
        throw error;
      }
    },
  );
  const problems: string[] = [];
  const resolved: ResolvedVersion[] = [];
  for (const o of outcomes) {
    if ('problem' in o) problems.push(o.problem);
    else resolved.push(o.resolved);
  }
  throwIfProblems(problems, client.host);
  return resolved;
}

/** How a pinned version is named; the same words the download uses once it is resolved. */
function pinnedLabel(p: PinnedVersion): string {
  return `version ${p.version} of application "${p.name}"`;
}
