/**
 * The LifeTime vocabulary the tasks share: an application that always has its key, an environment
 * reference, and one directory that finds an application by key, package UID or name. Every task
 * and check that looks an application up does it here, so they all match, and hint, the same way.
 */
import { uidToGuid } from '../oap/uid';
import type { Application, AppStatusInEnv } from './types';

/** An application as the client hands it over: LifeTime entries without a key are left out. */
export interface LifeTimeApplication extends Application {
  Key: string;
}

/** An environment (or an application) as a call needs it: the key for the API, the name for messages. */
export interface LifeTimeRef {
  Key: string;
  Name: string;
}

export type EnvironmentRef = LifeTimeRef;
export type ApplicationRef = LifeTimeRef;

/** How a bundled application was matched to one in LifeTime (said in the log and the summary). */
export type MatchedBy = 'key' | 'uid' | 'name';

/** What a bundle or a manifest knows of an application. */
export interface ApplicationIdentity {
  key: string;
  /** The Manifest.xml application UID (22 characters or a GUID), when known. */
  uid?: string;
  name: string;
}

/** LifeTime keys are GUIDs; their letter case is not something to rely on. */
export function sameKey(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** An application's status in one environment, from `AppStatusInEnvs` (requested with IncludeEnvStatus). */
export function statusInEnvironment(app: Application, environmentKey: string): AppStatusInEnv | undefined {
  return app.AppStatusInEnvs?.find((s) => s.EnvironmentKey !== undefined && sameKey(s.EnvironmentKey, environmentKey));
}

/** `; did you mean "Acceptance"? Names are case-sensitive` when only the letter case differs, else ''. */
export function caseHint(name: string, names: readonly string[]): string {
  const near = names.find((n) => n.toLowerCase() === name.toLowerCase() && n !== name);
  return near === undefined ? '' : `; did you mean "${near}"? Names are case-sensitive`;
}

export class ApplicationDirectory {
  /** By lower-case key: LifeTime keys are GUIDs whose case is not to be relied on. */
  private readonly keys = new Map<string, LifeTimeApplication>();
  private readonly names = new Map<string, LifeTimeApplication>();

  constructor(readonly applications: readonly LifeTimeApplication[]) {
    for (const a of applications) {
      this.keys.set(a.Key.toLowerCase(), a);
      this.names.set(a.Name, a);
    }
  }

  byKey(key: string): LifeTimeApplication | undefined {
    return this.keys.get(key.toLowerCase());
  }

  /** Names are case-sensitive in LifeTime; see hintFor. */
  byName(name: string): LifeTimeApplication | undefined {
    return this.names.get(name);
  }

  nameOf(key: string): string | undefined {
    return this.byKey(key)?.Name;
  }

  /**
   * The LifeTime application for a bundled one: by its key (same infrastructure keys), then by the
   * GUID of its package UID (what a LifeTime registers for an application it first met through a
   * package), then by name.
   */
  match(identity: ApplicationIdentity): { application: LifeTimeApplication; matchedBy: MatchedBy } | undefined {
    const byKey = this.byKey(identity.key);
    if (byKey !== undefined) return { application: byKey, matchedBy: 'key' };
    const guid = identity.uid === undefined ? undefined : uidToGuid(identity.uid);
    const byUid = guid === undefined ? undefined : this.byKey(guid);
    if (byUid !== undefined) return { application: byUid, matchedBy: 'uid' };
    const byName = this.byName(identity.name);
    return byName === undefined ? undefined : { application: byName, matchedBy: 'name' };
  }

  /** The "did you mean" hint for a name not found (see caseHint). */
  hintFor(name: string): string {
    return caseHint(name, [...this.names.keys()]);
  }
}
