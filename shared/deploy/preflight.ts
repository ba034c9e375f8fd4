/**
 * The pre-flight in the production LifeTime (contract, "Pre-flight"): before anything is published,
 * and in a dry run, only GET requests: the target environment exists (and with OSPTool is the host
 * it publishes to), every application a package needs that the bundle does not carry runs there,
 * and no bundled application already has a higher version number in that LifeTime (unless
 * allowDowngrade). Every problem found is listed in one refusal, each naming its culprit; the
 * target's current state of each package is returned for the printed plan and the journal rule.
 */
import type { VerifiedBundle } from '../bundle/verify';
import type { LifeTimeClient } from '../lifetime/client';
import {
  statusInEnvironment,
  type ApplicationDirectory,
  type EnvironmentRef,
  type LifeTimeApplication,
  type MatchedBy,
} from '../lifetime/directory';
import { uidToGuid } from '../oap/uid';
import { compareVersions } from '../synctags/versionCompare';
import type { PlannedPackage } from './plan';

export interface TargetState {
  /** The production LifeTime's application, when it knows it. */
  application?: LifeTimeApplication;
  matchedBy?: MatchedBy;
  /** What the target runs now; undefined: not installed there. */
  running?: { version?: string; modified: boolean };
  /** The highest version number that LifeTime holds for the application, if any. */
  highestVersion?: string;
}

export interface PreflightResult {
  environment: EnvironmentRef & { HostName: string };
  /** By bundle application key. */
  targets: Map<string, TargetState>;
  /** Versions let through by allowDowngrade, for warnings. */
  downgrades: string[];
}

export class PreflightError extends Error {
  override name = 'PreflightError';
}

interface Requirement {
  name: string;
  uid?: string;
  key?: string;
  requiredBy: Set<string>;
}

/** What the target runs, in the plan's words: `2.0.0`, `2.0.0 (modified)`, `not installed`. */
export function describeRunning(state: TargetState | undefined): string {
  const run = state?.running;
  if (run === undefined) return 'not installed';
  const version = run.version ?? 'a version never tagged';
  return run.modified ? `${version} (modified)` : version;
}

/** Applications the packages need that the bundle does not carry: the manifest's list and each package's own. */
function requirements(bundle: VerifiedBundle): Requirement[] {
  const inBundle = new Set(bundle.packages.map((p) => p.oap.application.uid));
  const keys = new Set(bundle.manifest.applications.map((a) => a.key.toLowerCase()));
  const found = new Map<string, Requirement>();
  const add = (r: { name: string; uid?: string; key?: string }, by: string[]): void => {
    const id = (r.key ?? (r.uid === undefined ? undefined : uidToGuid(r.uid)) ?? r.name).toLowerCase();
    const existing = found.get(id) ?? { ...r, requiredBy: new Set<string>() };
    for (const b of by) existing.requiredBy.add(b);
    found.set(id, existing);
  };
  for (const r of bundle.manifest.externalRequirements) {
    if (r.key !== undefined && keys.has(r.key.toLowerCase())) continue;
    add(r, r.requiredBy);
  }
  for (const p of bundle.packages) {
    for (const producer of p.oap.producers) {
      if (inBundle.has(producer.uid)) continue;
      const guid = uidToGuid(producer.uid);
      if (guid !== undefined && keys.has(guid.toLowerCase())) continue;
      add({ name: producer.name, uid: producer.uid }, [p.application.name]);
    }
  }
  return [...found.values()];
}

function quoteList(names: Iterable<string>): string {
  return [...names].map((n) => `"${n}"`).join(', ');
}

export async function runPreflight(
  lifeTime: LifeTimeClient,
  bundle: VerifiedBundle,
  plan: PlannedPackage[],
  options: { environment: string; ospToolHostname?: string; allowDowngrade: boolean },
): Promise<PreflightResult> {
  const env = await lifeTime.getEnvironment(options.environment);
  const hostName = typeof env.HostName === 'string' ? env.HostName : '';
  const problems: string[] = [];
  if (options.ospToolHostname !== undefined && hostName.toLowerCase() !== options.ospToolHostname.toLowerCase()) {
    problems.push(
      `targetHostname is "${options.ospToolHostname}", but LifeTime ${lifeTime.host} registers environment "${env.Name}" as host "${hostName}": OSPTool would publish somewhere else (a typo, or the wrong environment)`,
    );
  }
  const directory: ApplicationDirectory = await lifeTime.applicationDirectory({ includeEnvStatus: true });

  for (const r of requirements(bundle)) {
    const key = r.key ?? (r.uid === undefined ? undefined : uidToGuid(r.uid)) ?? '';
    const match = directory.match({ key, ...(r.uid !== undefined ? { uid: r.uid } : {}), name: r.name });
    const runs = match !== undefined && statusInEnvironment(match.application, env.Key) !== undefined;
    if (!runs) {
      problems.push(
        `"${r.name}", needed by ${quoteList(r.requiredBy)} and not in the bundle, ${match === undefined ? `is not an application of LifeTime ${lifeTime.host}` : `does not run in environment "${env.Name}"`}${match === undefined ? directory.hintFor(r.name) : ''}`,
      );
    }
  }

  const targets = new Map<string, TargetState>();
  const downgrades: string[] = [];
  for (const p of plan) {
    const app = p.application;
    const match = directory.match({ key: app.key, uid: app.uid, name: app.name });
    const state: TargetState = {};
    targets.set(app.key, state);
    if (match === undefined) continue;
    state.application = match.application;
    state.matchedBy = match.matchedBy;
    const versions = await lifeTime.listVersions(match.application.Key, {
      max: 100,
      label: `application "${match.application.Name}"`,
    });
    const numbers = versions.map((v) => v.Version).filter((v): v is string => typeof v === 'string' && v !== '');
    const highest = numbers.reduce<string | undefined>(
      (best, v) => (best === undefined || compareVersions(v, best) > 0 ? v : best),
      undefined,
    );
    if (highest !== undefined) state.highestVersion = highest;
    const status = statusInEnvironment(match.application, env.Key);
    if (status !== undefined) {
      const base = status.BaseApplicationVersionKey ?? '';
      const label =
        versions.find((v) => base !== '' && v.Key.toLowerCase() === base.toLowerCase())?.Version ??
        (status.BaseApplicationVersionLabel !== undefined && status.BaseApplicationVersionLabel !== ''
          ? status.BaseApplicationVersionLabel
          : undefined);
      state.running = { modified: status.IsModified === true, ...(label !== undefined ? { version: label } : {}) };
    }
    if (highest !== undefined && compareVersions(highest, app.version) > 0) {
      const what = `"${app.name}": the bundle carries ${app.version}, but LifeTime ${lifeTime.host} already holds ${highest} (the target runs ${describeRunning(state)})`;
      if (options.allowDowngrade) downgrades.push(`${what}; allowDowngrade lets the older version through`);
      else problems.push(`${what}: a stale bundle would downgrade it; set allowDowngrade for a rollback`);
    }
  }

  if (problems.length > 0) {
    throw new PreflightError(
      `the pre-flight in LifeTime ${lifeTime.host} for environment "${env.Name}" found ${problems.length} problem(s); nothing was published:\n` +
        problems.map((m, i) => `  ${i + 1}. ${m}`).join('\n'),
    );
  }
  return { environment: { ...env, HostName: hostName }, targets, downgrades };
}

/**
 * The contract's journal rule: with the connection, a package the journal records as published is
 * skipped only while the target's LifeTime shows no later version of it; undefined: skip, else why not.
 */
export function laterVersionThan(state: TargetState | undefined, version: string): string | undefined {
  const highest = state?.highestVersion;
  return highest !== undefined && compareVersions(highest, version) > 0 ? highest : undefined;
}
