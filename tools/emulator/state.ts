import { randomUUID } from 'node:crypto';
import type { MobileVersion } from '../../shared/lifetime/types';
import { guidToUid } from '../../shared/oap/uid';
import type { EmulatorApplicationSpec, EmulatorSpec } from './spec';

export type EnvironmentType = 'Development' | 'Test' | 'Production';

export interface EnvironmentState {
  key: string;
  name: string;
  hostName: string;
  type: EnvironmentType;
  order: number;
}

export interface VersionState {
  key: string;
  version: string;
  changeLog: string;
  createdOn: string;
  mobileVersions: MobileVersion[];
  noBinary: boolean;
  /** Insertion order, to break ties between equal CreatedOn values. */
  seq: number;
}

export interface RunningState {
  /** "" when the application was never tagged ([UNK] §1.2: the emulator's choice). */
  baseVersionKey: string;
  modified: boolean;
  moduleVersionKey: string;
}

export interface ApplicationState {
  key: string;
  uid: string;
  name: string;
  kind: 'WebResponsive' | 'Mobile';
  isSystem: boolean;
  team: string;
  description: string;
  producers: string[];
  packageBytes: number;
  iconBytes?: number;
  versions: VersionState[];
  /** By environment key. */
  running: Map<string, RunningState>;
}

export const defaultPackageBytes = 64 * 1024;

/** ISO-8601 without milliseconds, the shape LifeTime's documentation shows ("2024-03-05T10:25:23Z"). */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function normaliseKey(key: string): string {
  return key.toLowerCase();
}

function defaultEnvironmentType(name: string, order: number): EnvironmentType {
  if (/prod/i.test(name) && !/pre/i.test(name)) return 'Production';
  if (/dev/i.test(name) || order === 0) return 'Development';
  return 'Test';
}

/** The emulated LifeTime's data and the operations that change it; no HTTP here. */
export class EmulatorState {
  readonly environments: EnvironmentState[] = [];
  readonly applications: ApplicationState[] = [];
  private seq = 0;

  constructor(spec: EmulatorSpec) {
    spec.environments.forEach((env, order) => {
      this.environments.push({
        key: normaliseKey(env.key ?? randomUUID()),
        name: env.name,
        hostName: env.hostName,
        type: env.type ?? defaultEnvironmentType(env.name, order),
        order,
      });
    });
    for (const app of spec.applications) this.applications.push(this.buildApplication(app));
    for (const app of this.applications) {
      for (const producer of app.producers) {
        if (!this.applicationByName(producer)) {
          throw new Error(`Emulator spec: "${app.name}" names producer "${producer}", which is not an application`);
        }
      }
    }
  }

  private buildApplication(spec: EmulatorApplicationSpec): ApplicationState {
    const key = normaliseKey(spec.key ?? randomUUID());
    const specVersions = spec.versions ?? [];
    const now = Date.now();
    const versions = specVersions.map((v, i): VersionState => {
      return {
        key: normaliseKey(v.key ?? randomUUID()),
        version: v.version,
        changeLog: v.changeLog ?? '',
        // Older versions a day apart so that "newest first" is visible in the data.
        createdOn: v.createdOn ?? isoSeconds(new Date(now - (specVersions.length - i) * 86_400_000)),
        mobileVersions: v.mobileVersions ?? [],
        noBinary: v.noBinary ?? false,
        seq: this.seq++,
      };
    });
    const app: ApplicationState = {
      key,
      uid: guidToUid(key),
      name: spec.name,
      kind: spec.kind ?? 'WebResponsive',
      isSystem: spec.isSystem ?? false,
      team: spec.team ?? '',
      description: spec.description ?? '',
      producers: spec.producers ?? [],
      packageBytes: spec.packageBytes ?? defaultPackageBytes,
      ...(spec.iconBytes !== undefined ? { iconBytes: spec.iconBytes } : {}),
      versions,
      running: new Map(),
    };
    for (const [envName, run] of Object.entries(spec.running ?? {})) {
      const env = this.environmentByName(envName);
      if (!env) throw new Error(`Emulator spec: "${spec.name}" runs in unknown environment "${envName}"`);
      let baseVersionKey = '';
      if (run.version !== null) {
        const version = versions.find((v) => v.version === run.version);
        if (!version) throw new Error(`Emulator spec: "${spec.name}" runs unknown version "${run.version}"`);
        baseVersionKey = version.key;
      }
      // An application that was never tagged has nothing to match, so it counts as modified unless told.
      app.running.set(env.key, {
        baseVersionKey,
        modified: run.modified ?? run.version === null,
        moduleVersionKey: randomUUID(),
      });
    }
    return app;
  }

  environmentByKey(key: string): EnvironmentState | undefined {
    const k = normaliseKey(key);
    return this.environments.find((e) => e.key === k);
  }

  environmentByName(name: string): EnvironmentState | undefined {
    return this.environments.find((e) => e.name === name);
  }

  environmentByHost(hostName: string): EnvironmentState | undefined {
    const h = hostName.toLowerCase();
    return this.environments.find((e) => e.hostName.toLowerCase() === h);
  }

  applicationByKey(key: string): ApplicationState | undefined {
    const k = normaliseKey(key);
    return this.applications.find((a) => a.key === k);
  }

  applicationByName(name: string): ApplicationState | undefined {
    return this.applications.find((a) => a.name === name);
  }

  /** Newest first ([INF] §1.3: the order is undocumented). */
  versionsNewestFirst(app: ApplicationState): VersionState[] {
    return [...app.versions].sort((a, b) => b.createdOn.localeCompare(a.createdOn) || b.seq - a.seq);
  }

  isInUse(app: ApplicationState, versionKey: string): boolean {
    return [...app.running.values()].some((r) => r.baseVersionKey === versionKey);
  }

  /**
   * Tags what runs in the environment. The caller has checked that it runs there and that the
   * version is new; afterwards the environment runs the new tag, unmodified ([INF from S1] §5).
   */
  tag(
    app: ApplicationState,
    env: EnvironmentState,
    version: string,
    changeLog: string,
    mobile: MobileVersion[],
  ): VersionState {
    const created: VersionState = {
      key: randomUUID(),
      version,
      changeLog,
      // A tag made now is newer than any spec-given date, even one in the future by clock skew.
      createdOn: isoSeconds(new Date(Math.max(Date.now(), ...app.versions.map((v) => Date.parse(v.createdOn) + 1000)))),
      mobileVersions: mobile,
      noBinary: false,
      seq: this.seq++,
    };
    app.versions.push(created);
    app.running.set(env.key, { baseVersionKey: created.key, modified: false, moduleVersionKey: randomUUID() });
    return created;
  }

  /** What a finished deployment plan of a tagged version leaves behind: that version runs, unmodified. */
  runVersion(app: ApplicationState, env: EnvironmentState, versionKey: string): void {
    app.running.set(env.key, { baseVersionKey: versionKey, modified: false, moduleVersionKey: randomUUID() });
  }

  /**
   * What an OSPTool publication leaves behind: the application runs in the environment, modified
   * against its last tag there (if any). An application this LifeTime never saw is created with the
   * key its package UID encodes ([INF] §4: LifeTime application key = package UID GUID).
   */
  markPublished(env: EnvironmentState, uid: string, name: string, key: string): ApplicationState {
    // Matching by name too is the tolerant reading for a LifeTime whose key differs from the UID.
    let app = this.applications.find((a) => a.uid === uid) ?? this.applicationByName(name);
    if (!app) {
      app = this.buildApplication({ name, key });
      this.applications.push(app);
    }
    const previous = app.running.get(env.key);
    app.running.set(env.key, {
      baseVersionKey: previous?.baseVersionKey ?? '',
      modified: true,
      moduleVersionKey: randomUUID(),
    });
    return app;
  }
}
