/** Shared pieces of the guarantee matrices (test/matrix): short HTTP limits and a tagging world. */
import * as path from 'node:path';
import { LifeTimeEmulator } from '../../tools/emulator/emulator';
import { makeBundle, readManifest } from '../../tools/factories/bundleFactory';
import type { BundleAppSpec } from '../../tools/factories/bundleFactory';
import { PRE_HOSTNAME, PROD_TOKEN, productionEstate } from '../../tools/factories/estate';
import { runBundledTask } from '../../tools/agent/taskRunner';
import type { TaskRun, TaskRunOptions } from '../../tools/agent/taskRunner';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';

/**
 * The test-only HTTP knobs of shared/task/agentHttpSettings.ts: a 1.5 s attempt timeout, 10 ms
 * backoff and 2 retries (3 attempts), so that slow-header and exhausted-retry cases end quickly.
 */
export const FAST_HTTP: Record<string, string> = {
  AIRGAP_HTTP_TIMEOUT_MS: '1500',
  AIRGAP_HTTP_BACKOFF_MS: '10',
  AIRGAP_HTTP_RETRIES: '2',
};

/** Longer than FAST_HTTP's timeout: the client gives up on the attempt first. */
export const SLOWER_THAN_TIMEOUT_MS = 4000;

export const TAG_APPS: BundleAppSpec[] = [
  { name: 'Customer Core', version: '1.1.0', changeLog: 'Adds consent records.' },
  {
    name: 'Customer Portal',
    version: '2.3.0',
    producers: ['Customer Core'],
    changeLog: 'Self-service address change.',
  },
];

/** A production LifeTime whose PRE runs the bundle's applications (as OSPTool leaves them), untagged. */
export interface TagWorld {
  production: LifeTimeEmulator;
  root: string;
  bundle: string;
  sync(inputs?: Record<string, string>, options?: Partial<TaskRunOptions>): Promise<TaskRun>;
  /** POSTs that create a tag, as LifeTime received them. */
  tagPosts(): { path: string; status: number }[];
  /** How many tags of the bundle's version each application now has in production. */
  tagCounts(): Record<string, number>;
  /** Every request LifeTime received, of any kind. */
  requestCount(): number;
  close(): Promise<void>;
}

export async function tagWorld(apps: BundleAppSpec[] = TAG_APPS): Promise<TagWorld> {
  const production = await LifeTimeEmulator.start(productionEstate());
  const root = makeTempDir({ prefix: 'airgap-matrix-tags-', withSpaces: true });
  const bundle = await makeBundle(path.join(root, 'release 42'), apps);
  for (const app of readManifest(bundle).applications) {
    production.markPublished(PRE_HOSTNAME, { uid: app.uid, name: app.name });
  }
  return {
    production,
    root,
    bundle,
    sync: (inputs = {}, options = {}) =>
      runBundledTask('AirGapSyncTags', {
        inputs: { targetEnvironment: 'Pre-Production', bundlePath: bundle, ...inputs },
        connection: { url: production.url, token: PROD_TOKEN },
        ...options,
        env: { ...FAST_HTTP, ...options.env },
      }),
    tagPosts: () =>
      production.requests
        .filter((r) => r.method === 'POST' && /\/versions\/?$/.test(r.path))
        .map((r) => ({ path: r.path, status: r.status })),
    tagCounts: () =>
      Object.fromEntries(
        apps.map((a) => [
          a.name,
          production.versions(a.name).filter((v) => v.Version === (a.version ?? '1.0.0')).length,
        ]),
      ),
    requestCount: () => production.requests.length,
    close: async () => {
      await production.close();
      removeTempDir(root);
    },
  };
}
