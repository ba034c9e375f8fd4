/**
 * Shared set-up for promote tests: a production LifeTime whose Pre-Production runs the bundle's
 * applications as the tag sync leaves them (tagged with the bundle's numbers, unmodified), the
 * bundle on a share with spaces, and the bundled task run as the agent runs it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LifeTimeEmulator } from '../../tools/emulator/emulator';
import type { DeploymentSettings } from '../../tools/emulator/deploymentSpec';
import type { EmulatorApplicationSpec } from '../../tools/emulator/spec';
import { makeBundle } from '../../tools/factories/bundleFactory';
import type { BundleAppSpec } from '../../tools/factories/bundleFactory';
import { PROD_TOKEN, productionEstate } from '../../tools/factories/estate';
import { runBundledTask, startBundledTask } from '../../tools/agent/taskRunner';
import type { StartedTask, TaskRun, TaskRunOptions } from '../../tools/agent/taskRunner';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';

/** One application of the estate: in the bundle with `version`, running in PRE (and maybe Production). */
export interface PromoteApp {
  name: string;
  key: string;
  /** The production LifeTime's key when it differs from the bundle's (matched by name then). */
  lifeTimeKey?: string;
  version: string;
  producers?: string[];
  /** What PRE runs; by default the bundle's version, tagged and unmodified; 'absent': nothing. */
  pre?: { version: string | null; modified?: boolean } | 'absent';
  /** What Production runs now, if anything. */
  production?: { version: string | null; modified?: boolean };
  /** Older tags LifeTime also has (Production may run one). */
  olderVersions?: string[];
}

export const PORTAL: PromoteApp = {
  name: 'Customer Portal',
  key: '5e0b6a3c-2d7f-4c1e-9a8b-7f6e5d4c3b2a',
  version: '2.3.0',
  producers: ['Customer Core'],
  olderVersions: ['2.2.0'],
  production: { version: '2.2.0' },
};
export const CORE: PromoteApp = {
  name: 'Customer Core',
  key: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
  version: '1.1.0',
  olderVersions: ['1.0.0'],
  production: { version: '1.0.0' },
};

export function estateApp(app: PromoteApp): EmulatorApplicationSpec {
  const running: Record<string, { version: string | null; modified?: boolean }> = {};
  if (app.pre !== 'absent') running['Pre-Production'] = app.pre ?? { version: app.version };
  if (app.production !== undefined) running['Production'] = app.production;
  return {
    name: app.name,
    key: app.lifeTimeKey ?? app.key,
    producers: app.producers ?? [],
    versions: [...(app.olderVersions ?? []), app.version].map((version) => ({
      version,
      changeLog: `Release ${version} of ${app.name}.`,
    })),
    running,
  };
}

export interface PromoteWorld {
  root: string;
  bundle: string;
  production: LifeTimeEmulator;
  options(inputs?: Record<string, string>, extra?: Partial<TaskRunOptions>): TaskRunOptions;
  run(inputs?: Record<string, string>, extra?: Partial<TaskRunOptions>): Promise<TaskRun>;
  start(inputs?: Record<string, string>, extra?: Partial<TaskRunOptions>): StartedTask;
  /** Requests that change LifeTime (POST, PUT, DELETE). */
  changes(): { method: string; path: string }[];
  close(): Promise<void>;
}

export interface PromoteWorldOptions {
  /** More applications of the production LifeTime, outside the bundle. */
  extra?: EmulatorApplicationSpec[];
  deployments?: DeploymentSettings;
}

export async function promoteWorld(
  apps: PromoteApp[] = [PORTAL, CORE],
  worldOptions: PromoteWorldOptions = {},
): Promise<PromoteWorld> {
  const spec = productionEstate([...apps.map(estateApp), ...(worldOptions.extra ?? [])]);
  if (worldOptions.deployments !== undefined) spec.deployments = worldOptions.deployments;
  const production = await LifeTimeEmulator.start(spec);
  const root = makeTempDir({ withSpaces: true, prefix: 'airgap-promote-' });
  const share = path.join(root, 'air gap share');
  fs.mkdirSync(share);
  const specs: BundleAppSpec[] = apps.map((a) => ({
    name: a.name,
    key: a.key,
    version: a.version,
    ...(a.producers !== undefined ? { producers: a.producers } : {}),
  }));
  const bundle = await makeBundle(path.join(share, 'release 42'), specs);
  const options = (inputs: Record<string, string> = {}, more: Partial<TaskRunOptions> = {}): TaskRunOptions => ({
    inputs: { sourceEnvironment: 'Pre-Production', targetEnvironment: 'Production', bundlePath: bundle, ...inputs },
    connection: { url: production.url, token: PROD_TOKEN },
    ...more,
  });
  return {
    root,
    bundle,
    production,
    options,
    run: (inputs, more) => runBundledTask('AirGapPromote', options(inputs, more)),
    start: (inputs, more) => startBundledTask('AirGapPromote', options(inputs, more)),
    changes: () =>
      production.requests.filter((r) => r.method !== 'GET').map((r) => ({ method: r.method, path: r.path })),
    close: async () => {
      await production.close();
      removeTempDir(root);
    },
  };
}
